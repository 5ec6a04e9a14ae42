package io.crust.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.PeerRecord.Address;
import io.crust.core.PeerRecord.Kind;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerRecordTest {
    private static final String NETWORK = "test-net";
    private final Identity identity = Identity.generate();

    static Address tcp(String ip, int port) {
        return new Address(Transport.TCP, Kind.HOST, new InetSocketAddress(ip, port));
    }

    @Test
    void encodedRecordDecodesToTheSameFieldsAndVerifies() throws Exception {
        List<Address> addresses = List.of(
                tcp("192.0.2.1", 5483),
                new Address(Transport.UDT, Kind.REFLEXIVE, new InetSocketAddress("203.0.113.7", 40000)),
                new Address(Transport.TCP, Kind.MAPPED, new InetSocketAddress("2001:db8::1", 443)));
        PeerRecord record = PeerRecord.signed(identity, NETWORK, 42, addresses);

        PeerRecord decoded = PeerRecord.decode(record.encode());

        assertThat(decoded.peerId()).isEqualTo(identity.peerId());
        assertThat(decoded.sequence()).isEqualTo(42);
        assertThat(decoded.addresses()).isEqualTo(addresses);
        assertThat(decoded).isEqualTo(record);
        assertThat(decoded.verify(NETWORK)).isTrue();
        assertThat(decoded.encodedBytes()).isEqualTo(44 + 8 + 8 + 20 + 64);
    }

    @Test
    void goldenBytesFollowTheRulerDiagram(@TempDir Path dir) throws Exception {
        // A fixed identity file: magic "CRUSTID" + version 1, Ed25519 seed 0x01.., X25519 key 0x02..
        byte[] file = new byte[72];
        System.arraycopy(new byte[] {'C', 'R', 'U', 'S', 'T', 'I', 'D', 1}, 0, file, 0, 8);
        Arrays.fill(file, 8, 40, (byte) 1);
        Arrays.fill(file, 40, 72, (byte) 2);
        Files.write(dir.resolve(Identity.FILE_NAME), file);
        Identity fixed = Identity.loadOrCreate(dir);
        String key = HexFormat.of().formatHex(fixed.peerId().publicKey());

        byte[] encoded = PeerRecord.signed(fixed, NETWORK, 0x0102030405060708L,
                List.of(new Address(Transport.UDT, Kind.MAPPED, new InetSocketAddress("198.51.100.9", 0x1234)))).encode();

        String expectedBody = ""
                + "01" + "01" + "0000"        // version 1, one address, reserved
                + key                         // peer id: the Ed25519 public key
                + "0102030405060708"          // sequence
                + "23" + "04" + "1234"        // transport UDT (2) and kind mapped (3), IPv4, port 0x1234
                + "c6336409";                 // 198.51.100.9
        assertThat(HexFormat.of().formatHex(encoded, 0, encoded.length - 64)).isEqualTo(expectedBody);
        // Ed25519 is deterministic: the same key and message give the same signature every time.
        byte[] again = PeerRecord.signed(fixed, NETWORK, 0x0102030405060708L,
                List.of(new Address(Transport.UDT, Kind.MAPPED, new InetSocketAddress("198.51.100.9", 0x1234)))).encode();
        assertThat(again).isEqualTo(encoded);
    }

    @Test
    void aRecordSignedForAnotherNetworkDoesNotVerify() {
        PeerRecord record = PeerRecord.signed(identity, "other-net", 1, List.of(tcp("192.0.2.1", 1)));

        assertThat(record.verify(NETWORK)).isFalse();
        assertThat(record.verify("other-net")).isTrue();
    }

    @Test
    void changingAnyByteBreaksTheSignatureOrTheFormat() throws Exception {
        byte[] good = PeerRecord.signed(identity, NETWORK, 7, List.of(tcp("192.0.2.1", 9000))).encode();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            boolean accepted;
            try {
                accepted = PeerRecord.decode(bad).verify(NETWORK);
            } catch (CrustException e) {
                accepted = false;
            }
            assertThat(accepted).as("record with byte %d flipped", i).isFalse();
        }
    }

    @Test
    void aSignatureFromAnotherKeyDoesNotVerify() throws Exception {
        byte[] mine = PeerRecord.signed(identity, NETWORK, 7, List.of()).encode();
        byte[] theirs = PeerRecord.signed(Identity.generate(), NETWORK, 7, List.of()).encode();
        // Claim my peer id with their signature.
        System.arraycopy(theirs, theirs.length - 64, mine, mine.length - 64, 64);

        assertThat(PeerRecord.decode(mine).verify(NETWORK)).isFalse();
    }

    @Test
    void moreThanSixteenAddressesAreRefusedWhenSigningAndWhenDecoding() {
        List<Address> many = new ArrayList<>();
        for (int i = 1; i <= PeerRecord.MAX_ADDRESSES + 1; i++) {
            many.add(tcp("192.0.2.1", i));
        }
        assertThatThrownBy(() -> PeerRecord.signed(identity, NETWORK, 1, many))
                .isInstanceOf(IllegalArgumentException.class);

        byte[] record = PeerRecord.signed(identity, NETWORK, 1, List.of()).encode();
        record[1] = 17;
        assertThatThrownBy(() -> PeerRecord.decode(record)).isInstanceOf(CrustException.class).hasMessageContaining("17 addresses");
    }

    @Test
    void anAddressCountThatCannotFitIsRefusedBeforeReadingAddresses() {
        byte[] record = PeerRecord.signed(identity, NETWORK, 1, List.of()).encode();
        record[1] = 3;

        assertThatThrownBy(() -> PeerRecord.decode(record)).isInstanceOf(CrustException.class).hasMessageContaining("cannot fit");
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] good = PeerRecord.signed(identity, NETWORK, 1, List.of(tcp("192.0.2.1", 80),
                new Address(Transport.UDT, Kind.HOST, new InetSocketAddress("2001:db8::2", 81)))).encode();
        for (int length = 0; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> PeerRecord.decode(cut)).as("length %d", length).isInstanceOf(CrustException.class);
        }
    }

    @Test
    void trailingBytesAfterOneRecordAreRefusedByTheArrayDecoder() {
        byte[] good = PeerRecord.signed(identity, NETWORK, 1, List.of()).encode();
        byte[] longer = Arrays.copyOf(good, good.length + 1);

        assertThatThrownBy(() -> PeerRecord.decode(longer)).hasMessageContaining("after the end");
    }

    @Test
    void theBufferDecoderReadsRecordsOneAfterAnother() throws Exception {
        PeerRecord first = PeerRecord.signed(identity, NETWORK, 1, List.of(tcp("192.0.2.1", 80)));
        PeerRecord second = PeerRecord.signed(Identity.generate(), NETWORK, 2, List.of());
        ByteBuffer buffer = ByteBuffer.allocate(first.encodedBytes() + second.encodedBytes());
        first.encodeTo(buffer);
        second.encodeTo(buffer);
        buffer.flip();

        assertThat(PeerRecord.decode(buffer, PeerRecord.MAX_ENCODED_BYTES)).isEqualTo(first);
        assertThat(PeerRecord.decode(buffer, PeerRecord.MAX_ENCODED_BYTES)).isEqualTo(second);
        assertThat(buffer.hasRemaining()).isFalse();
    }

    @Test
    void theByteLimitOfTheCallerIsHonoured() {
        PeerRecord record = PeerRecord.signed(identity, NETWORK, 1, List.of(tcp("192.0.2.1", 80)));

        assertThatThrownBy(() -> PeerRecord.decode(ByteBuffer.wrap(record.encode()), record.encodedBytes() - 1))
                .isInstanceOf(CrustException.class);
    }

    @Test
    void unknownVersionTransportKindAndIpVersionAndPortZeroAreRefused() {
        byte[] good = PeerRecord.signed(identity, NETWORK, 1, List.of(tcp("192.0.2.1", 80))).encode();
        int address = 44;
        assertRefused(good, 0, (byte) 2, "version");
        assertRefused(good, 2, (byte) 1, "reserved");
        assertRefused(good, address, (byte) 0x31, "transport");
        assertRefused(good, address, (byte) 0x14, "kind");
        assertRefused(good, address + 1, (byte) 5, "IP version");
        byte[] portZero = good.clone();
        portZero[address + 2] = 0;
        portZero[address + 3] = 0;
        assertThatThrownBy(() -> PeerRecord.decode(portZero)).hasMessageContaining("port 0");
    }

    @Test
    void anIpv4MappedIpv6AddressIsRefused() {
        byte[] good = PeerRecord.signed(identity, NETWORK, 1,
                List.of(new Address(Transport.TCP, Kind.HOST, new InetSocketAddress("2001:db8::1", 80)))).encode();
        byte[] mapped = good.clone();
        byte[] ip = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1};
        System.arraycopy(ip, 0, mapped, 48, 16);

        assertThatThrownBy(() -> PeerRecord.decode(mapped)).hasMessageContaining("IPv4-mapped");
    }

    @Test
    void theSequenceComparesAsUnsigned() {
        PeerRecord low = PeerRecord.signed(identity, NETWORK, 1, List.of());
        PeerRecord high = PeerRecord.signed(identity, NETWORK, -1L, List.of());

        assertThat(high.isNewerThan(low)).isTrue();
        assertThat(low.isNewerThan(high)).isFalse();
    }

    @Test
    void addressTextFormRoundTrips() {
        for (String text : List.of("tcp/host/192.0.2.1:5483", "udt/reflexive/[2001:db8:0:0:0:0:0:1]:9", "tcp/mapped/203.0.113.4:65535")) {
            assertThat(Address.parse(text).toString()).isEqualTo(text);
        }
    }

    @Test
    void addressTextThatIsNotALiteralIsRefusedWithoutANameLookup() {
        for (String text : List.of("tcp/host/example.org:80", "tcp/host/192.0.2.256:80", "tcp/host/1.2.3:80",
                "tcp/host/2001:db8::1:80", "tcp/host/192.0.2.1:0", "tcp/host/192.0.2.1:x", "udp/host/192.0.2.1:1",
                "tcp/relay/192.0.2.1:1", "tcp:192.0.2.1:1")) {
            assertThatThrownBy(() -> Address.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static void assertRefused(byte[] good, int index, byte value, String message) {
        byte[] bad = good.clone();
        bad[index] = value;
        assertThatThrownBy(() -> PeerRecord.decode(bad)).isInstanceOf(CrustException.class).hasMessageContaining(message);
    }
}
