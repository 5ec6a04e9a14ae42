package io.crust.udt.packet;

import java.nio.ByteBuffer;

/**
 * The frames of one DATA packet, all decoded before any is acted on, so that a packet found malformed
 * half-way changes nothing. A packet carries at most one ACK and one STREAM frame.
 *
 * @param ack the ACK frame, or null
 * @param stream the STREAM frame (its data stays in the datagram buffer), or null
 * @param ping whether a PING frame was present
 * @param closeReason the CLOSE frame's reason, or -1
 * @param ackFrequency the ACK_FREQUENCY frame, or null
 * @param pathChallenge the PATH_CHALLENGE frame's data, or 0 ({@link PathFrames})
 * @param pathResponse the PATH_RESPONSE frame's data, or 0
 */
public record DataFrames(AckFrame ack, Frames.Stream stream, boolean ping, int closeReason,
                         Frames.AckFrequency ackFrequency, long pathChallenge, long pathResponse) {

    /** Whether the packet asks for an acknowledgement (RFC 9002 sec. 2: anything but ACK, PADDING, CLOSE). */
    public boolean ackEliciting() {
        return ping || stream != null || ackFrequency != null;
    }

    /**
     * Whether the packet holds only probing frames (path validation and padding). RFC 9000 sec. 9.3:
     * "An endpoint only changes the address to which it sends packets in response to the
     * highest-numbered non-probing packet."
     */
    public boolean probing() {
        return ack == null && stream == null && !ping && closeReason < 0 && ackFrequency == null;
    }

    /** Decodes the frames from {@code datagram}'s position (just after the {@link DataHeader}) to its limit. */
    public static DataFrames decode(ByteBuffer datagram) throws MalformedPacketException {
        AckFrame ack = null;
        Frames.Stream stream = null;
        boolean ping = false;
        int closeReason = -1;
        Frames.AckFrequency ackFrequency = null;
        long pathChallenge = 0;
        long pathResponse = 0;
        while (datagram.hasRemaining()) {
            int type = datagram.get() & 0xFF;
            switch (type) {
                case Frames.PADDING -> datagram.position(datagram.limit());
                case Frames.PING -> ping = true;
                case Frames.ACK -> {
                    MalformedPacketException.check(ack == null, "two ACK frames");
                    ack = AckFrame.decode(datagram);
                }
                case Frames.STREAM -> {
                    MalformedPacketException.check(stream == null, "two STREAM frames");
                    stream = Frames.decodeStream(datagram);
                }
                case Frames.CLOSE -> closeReason = Frames.decodeClose(datagram);
                case Frames.ACK_FREQUENCY -> {
                    MalformedPacketException.check(ackFrequency == null, "two ACK_FREQUENCY frames");
                    ackFrequency = Frames.decodeAckFrequency(datagram);
                }
                case PathFrames.PATH_CHALLENGE -> {
                    MalformedPacketException.check(pathChallenge == 0, "two PATH_CHALLENGE frames");
                    pathChallenge = PathFrames.decodeData(datagram);
                }
                case PathFrames.PATH_RESPONSE -> {
                    MalformedPacketException.check(pathResponse == 0, "two PATH_RESPONSE frames");
                    pathResponse = PathFrames.decodeData(datagram);
                }
                default -> throw new MalformedPacketException("unknown frame type " + type);
            }
        }
        return new DataFrames(ack, stream, ping, closeReason, ackFrequency, pathChallenge, pathResponse);
    }
}
