package io.crust.udt.fuzz;

import io.crust.testkit.InputBudget;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.crust.udt.packet.AcceptPacket;
import io.crust.udt.packet.AckFrame;
import io.crust.udt.packet.DataHeader;
import io.crust.udt.packet.Frames;
import io.crust.udt.packet.InitialPacket;
import io.crust.udt.packet.MalformedPacketException;
import io.crust.udt.packet.PacketType;
import io.crust.udt.packet.RetryPacket;
import io.crust.udt.packet.VersionPacket;
import java.nio.ByteBuffer;

/**
 * Hostile datagrams against every crust-udt packet decoder (docs/udt.md). Each decoder returns a
 * value or throws {@link MalformedPacketException}; nothing else escapes, no decoder reads past the
 * datagram, and none allocates more than the datagram justifies. A DATA packet's frames are walked
 * the way a connection walks them.
 *
 * <p>Saved inputs: {@code src/test/resources/io/crust/udt/fuzz/PacketFuzzTestInputs/}.
 */
class PacketFuzzTest {

    @FuzzTest
    void everyDecoderReturnsAPacketOrThrowsMalformedPacketException(byte[] data) {
        InputBudget.check("crust-udt packet decoders", data.length, () -> {
            decodeQuietly(() -> InitialPacket.decode(ByteBuffer.wrap(data)));
            decodeQuietly(() -> InitialPacket.peekVersion(ByteBuffer.wrap(data)));
            decodeQuietly(() -> RetryPacket.decode(ByteBuffer.wrap(data)));
            decodeQuietly(() -> AcceptPacket.decode(ByteBuffer.wrap(data)));
            decodeQuietly(() -> VersionPacket.decode(ByteBuffer.wrap(data)));
            if (data.length > 0 && PacketType.isCrustUdt(data[0] & 0xFF)
                    && PacketType.typeOf(data[0] & 0xFF) == PacketType.DATA) {
                walkDataPacket(ByteBuffer.wrap(data));
            }
        });
    }

    /** Frames after a valid header, decoded one by one until the datagram ends or one is refused. */
    private static void walkDataPacket(ByteBuffer datagram) {
        try {
            long packetNumber = DataHeader.decode(datagram);
            require(packetNumber >= 0 && packetNumber <= DataHeader.MAX_PACKET_NUMBER, "packet number out of range");
            while (datagram.hasRemaining()) {
                int type = datagram.get() & 0xFF;
                switch (type) {
                    case Frames.PADDING, Frames.PING -> { }
                    case Frames.ACK -> {
                        AckFrame ack = AckFrame.decode(datagram);
                        require(ack.ranges().length % 2 == 0, "odd number of range bounds");
                        require(ack.largestAcknowledged() >= 0 && ack.largestAcknowledged() <= DataHeader.MAX_PACKET_NUMBER,
                                "largest acknowledged out of range");
                    }
                    case Frames.STREAM -> {
                        Frames.Stream stream = Frames.decodeStream(datagram);
                        require(stream.dataPosition() + stream.length() <= datagram.limit(), "stream data past the datagram");
                        require(stream.offset() >= 0 && stream.offset() <= Frames.MAX_STREAM_OFFSET, "stream offset out of range");
                    }
                    case Frames.CLOSE -> Frames.decodeClose(datagram);
                    default -> {
                        return; // an unknown frame type ends the walk; the connection calls it malformed
                    }
                }
                require(datagram.position() <= datagram.limit(), "read past the datagram");
            }
        } catch (MalformedPacketException expected) {
            // documented refusal
        }
    }

    /** A plain check: AssertJ allocates per call, which the allocation budget would charge to the decoders. */
    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private interface Decode {
        Object run() throws MalformedPacketException;
    }

    private static void decodeQuietly(Decode decode) {
        try {
            decode.run();
        } catch (MalformedPacketException expected) {
            // documented refusal
        }
    }
}
