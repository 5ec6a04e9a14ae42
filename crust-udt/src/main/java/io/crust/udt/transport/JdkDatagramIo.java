package io.crust.udt.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** The portable {@link DatagramIo}: the channel's blocking {@code receive} and {@code send}, one datagram each. */
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
        channel.send(datagram, to);
    }

    @Override
    public void sendSegments(ByteBuffer datagrams, int segmentBytes, InetSocketAddress to) throws IOException {
        int end = datagrams.limit();
        while (datagrams.position() < end) {
            datagrams.limit(Math.min(end, datagrams.position() + segmentBytes));
            channel.send(datagrams, to);
        }
        datagrams.limit(end);
    }

    @Override
    public int maxSegments() {
        return 1;
    }

    @Override
    public int receiveBatchSize() {
        return 1;
    }

    @Override
    public void wakeReceiver() {
        // closing the channel ends a blocked receive
    }

    @Override
    public String name() {
        return "jdk";
    }
}
