package io.crust.bench;

import io.crust.core.noise.Aead;
import io.crust.core.noise.AeadProvider;
import io.crust.core.noise.CipherFunction;
import io.crust.udt.packet.DataHeader;
import io.crust.udt.packet.Frames;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH microbenchmarks of the hot paths: a crust-udt DATA packet (header plus one STREAM frame)
 * encoded and decoded, Noise AEAD seal and open with both cipher functions and both providers, and
 * the 2-byte length-prefixed frame written and read (the TcpFrameTransport wire format).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HotPathBenchmarks {
    @Param({"1452"})
    public int payloadBytes;

    private final ByteBuffer packet = ByteBuffer.allocate(65_536);
    private byte[] payload;
    private ByteBuffer encodedPacket;
    private Aead chacha;
    private Aead aesgcm;
    private byte[] sealed;
    private byte[] sealedAtZero;
    private byte[] opened;
    private byte[] frameBytes;
    private final byte[] ad = new byte[0];
    /** Noise never reuses a nonce, and the JDK's ChaCha20-Poly1305 refuses to encrypt twice with one. */
    private long nonce = 1;

    @Setup
    public void setUp() {
        payload = new byte[payloadBytes];
        packet.clear();
        encodePacket();
        encodedPacket = ByteBuffer.wrap(java.util.Arrays.copyOf(packet.array(), packet.position()));
        byte[] key = new byte[32];
        chacha = AeadProvider.JDK.newAead(CipherFunction.CHACHAPOLY, key);
        aesgcm = AeadProvider.JDK.newAead(CipherFunction.AESGCM, key);
        sealed = new byte[payloadBytes + Aead.TAG_BYTES];
        opened = new byte[payloadBytes];
        sealedAtZero = new byte[payloadBytes + Aead.TAG_BYTES];
        chacha.encrypt(0, ad, payload, 0, payloadBytes, sealedAtZero, 0);
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.write(payloadBytes >>> 8);
        frames.write(payloadBytes);
        frames.writeBytes(payload);
        frameBytes = frames.toByteArray();
    }

    private void encodePacket() {
        DataHeader.encode(packet, 0x1122334455667788L, 42);
        Frames.encodeStreamHeader(packet, 1_000_000, payloadBytes, false);
        packet.put(payload);
    }

    @Benchmark
    public int udtDataPacketEncode() {
        packet.clear();
        encodePacket();
        return packet.position();
    }

    @Benchmark
    public long udtDataPacketDecode() throws Exception {
        ByteBuffer in = encodedPacket.duplicate();
        long number = DataHeader.decode(in);
        in.get(); // frame type
        Frames.Stream stream = Frames.decodeStream(in);
        return number + stream.length();
    }

    @Benchmark
    public byte[] aeadSealChaChaPoly() {
        chacha.encrypt(nonce++, ad, payload, 0, payloadBytes, sealed, 0);
        return sealed;
    }

    @Benchmark
    public byte[] aeadOpenChaChaPoly() throws AEADBadTagException {
        chacha.decrypt(0, ad, sealedAtZero, 0, sealedAtZero.length, opened, 0);
        return opened;
    }

    @Benchmark
    public byte[] aeadSealAesGcm() {
        aesgcm.encrypt(nonce++, ad, payload, 0, payloadBytes, sealed, 0);
        return sealed;
    }

    @Benchmark
    public int frameWrite() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream(payloadBytes + 2);
        DataOutputStream out = new DataOutputStream(sink);
        out.writeShort(payloadBytes);
        out.write(payload);
        return sink.size();
    }

    @Benchmark
    public byte[] frameRead() throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(frameBytes));
        byte[] frame = new byte[in.readUnsignedShort()];
        in.readFully(frame);
        return frame;
    }
}
