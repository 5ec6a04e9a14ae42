// Writes the crust-udt fuzz seeds from the real encoders (see crust-bench/fuzz/README.md).
import io.crust.udt.packet.*;
import io.crust.udt.window.RangeSet;
import java.nio.ByteBuffer;
import java.nio.file.*;

public class UdtSeeds {
    static byte[] bytes(ByteBuffer b) { b.flip(); byte[] a = new byte[b.remaining()]; b.get(a); return a; }
    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0], "PacketFuzzTestInputs/everyDecoderReturnsAPacketOrThrowsMalformedPacketException");
        Path c = Path.of(args[0], "ConnectionStateFuzzTestInputs/anySequenceOfDatagramsLeavesTheConnectionConsistent");
        Files.createDirectories(p); Files.createDirectories(c);
        byte[] cookie = new byte[16]; for (int i = 0; i < 16; i++) cookie[i] = (byte) (i * 7);
        ByteBuffer b = ByteBuffer.allocate(2000);
        new InitialPacket(1, false, 0x0102030405060708L, new byte[0]).encodeTo(b); Files.write(p.resolve("initial"), bytes(b)); b.clear();
        new InitialPacket(1, true, 0x0102030405060708L, cookie).encodeTo(b); Files.write(p.resolve("initial-rendezvous-cookie"), bytes(b)); b.clear();
        new RetryPacket(1, 0x0102030405060708L, cookie).encodeTo(b); Files.write(p.resolve("retry"), bytes(b)); b.clear();
        new AcceptPacket(1, 0x0102030405060708L, 0x1112131415161718L).encodeTo(b); Files.write(p.resolve("accept"), bytes(b)); b.clear();
        new VersionPacket(0x0102030405060708L, new byte[] {1, 2}).encodeTo(b); Files.write(p.resolve("version"), bytes(b)); b.clear();
        // DATA: ACK + STREAM(100 bytes) + PING + CLOSE
        DataHeader.encode(b, 0x1111_2222_3333_4444L, 501);
        RangeSet r = new RangeSet(16); r.add(990, 995); r.add(997, 1000);
        b.put((byte) Frames.ACK); AckFrame.encode(b, r, 16, 250, 65536);
        Frames.encodeStreamHeader(b, 0, 100, false); b.put(new byte[100]);
        b.put((byte) Frames.PING);
        Frames.encodeClose(b, Frames.CLOSE_GRACEFUL);
        byte[] data = bytes(b); b.clear();
        Files.write(p.resolve("data-ack-stream-ping-close"), data);
        // connection scripts: [client?][rendezvous?] then per datagram: len(2) body withHeader? pn? step(2) close(2)
        ByteBuffer s = ByteBuffer.allocate(4000);
        s.put((byte) 0); // server
        for (int i = 0; i < 3; i++) {
            ByteBuffer f = ByteBuffer.allocate(300);
            if (i == 0) { f.put((byte) Frames.PING); }
            else { f.put((byte) Frames.ACK); AckFrame.encode(f, r, 16, 100, 65536); Frames.encodeStreamHeader(f, (i - 1) * 100L, 100, i == 2); f.put(new byte[100]); }
            byte[] frames = bytes(f);
            s.putShort((short) frames.length).put(frames).put((byte) 1).put((byte) 1).putShort((short) 20).putShort((short) 1);
        }
        Files.write(c.resolve("server-ping-then-stream-with-fin"), bytes(s));
        ByteBuffer k = ByteBuffer.allocate(200);
        k.put((byte) 1).put((byte) 0);
        ByteBuffer a = ByteBuffer.allocate(64); new AcceptPacket(1, 0x1111_2222_3333_4444L, 0x5555_6666_7777_0001L).encodeTo(a);
        byte[] acc = bytes(a);
        k.putShort((short) acc.length).put(acc).put((byte) 0).putShort((short) 50).putShort((short) 1);
        Files.write(c.resolve("client-accepted"), bytes(k));
    }
}
