package io.crust.udt.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The portable {@link DatagramIo} of a channel handed to the endpoint (a punched socket, see
 * {@code UdtEndpoint.open}): the channel's blocking {@code receive} and {@code send}, one datagram each.
 * An endpoint that opens its own socket uses {@link SocketDatagramIo} instead, on which waiting readers
 * may read the socket themselves.
 *
 * <p>Any thread may send (whoever changed a connection's state sends what that allows), and a channel
 * closes itself when a thread whose interrupt flag is set calls it: one cancelled task closing a
 * connection would end every connection of the endpoint. So a send clears the flag for the call and
 * sets it again after. (An interrupt that arrives during the call itself still closes the channel.)
 */
final class JdkDatagramIo implements DatagramIo {
    private final DatagramChannel channel;

    JdkDatagramIo(DatagramChannel channel) {
        this.channel = channel;
    }

    @Override
    public int receive(ReceivedBatch batch) throws IOException {
        ByteBuffer buffer = batch.datagrams[0];
        buffer.clear();
        batch.sources[0] = (InetSocketAddress) channel.receive(buffer);
        buffer.flip();
        batch.count = 1;
        return 1;
    }

    @Override
    public int receiveOrTimeout(ReceivedBatch batch) throws IOException {
        return receive(batch); // not used: readers do not lead on this path
    }

    @Override
    public boolean readerMayLead() {
        return false;
    }

    @Override
    public void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            channel.send(datagram, to);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String name() {
        return "jdk-channel";
    }
}
