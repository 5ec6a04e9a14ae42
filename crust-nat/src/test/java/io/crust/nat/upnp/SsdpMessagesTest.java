package io.crust.nat.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.gateway.MalformedPacketException;
import io.crust.nat.upnp.SsdpMessages.SearchResponse;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SsdpMessagesTest {
    /** What miniupnpd 2.3.1 answers (shape; the lab's values). */
    static final String MINIUPNPD_ANSWER = "HTTP/1.1 200 OK\r\n"
            + "CACHE-CONTROL: max-age=120\r\n"
            + "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n"
            + "USN: uuid:3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b::urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n"
            + "EXT:\r\n"
            + "SERVER: Debian/12 UPnP/1.1 MiniUPnPd/2.3.1\r\n"
            + "LOCATION: http://192.168.1.1:5555/rootDesc.xml\r\n"
            + "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
            + "\r\n";

    private static SearchResponse decode(String text) throws MalformedPacketException {
        return SsdpMessages.decode(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void searchRequestIsTheSpecsText() {
        assertThat(new String(SsdpMessages.search("239.255.255.250:1900", 2, SsdpMessages.IGD_V1), StandardCharsets.US_ASCII))
                .isEqualTo("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\n"
                        + "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n");
    }

    @Test
    void miniupnpdAnswerIsDecoded() throws Exception {
        SearchResponse r = decode(MINIUPNPD_ANSWER);
        assertThat(r.location()).isEqualTo(URI.create("http://192.168.1.1:5555/rootDesc.xml"));
        assertThat(r.searchTarget()).isEqualTo(SsdpMessages.IGD_V2);
        assertThat(r.usn()).startsWith("uuid:3d3cec3a");
    }

    @Test
    void headerNamesAreCaseInsensitiveAndLfLineEndsAreAccepted() throws Exception {
        SearchResponse r = decode("HTTP/1.1 200 OK\nlocation: http://10.0.0.1/d.xml\nst: x\n\n");
        assertThat(r.location().getHost()).isEqualTo("10.0.0.1");
    }

    @Test
    void answersThatCannotBeTrustedOrReadAreRejected() {
        assertThatThrownBy(() -> decode("HTTP/1.1 404 Not Found\r\n\r\n")).isInstanceOf(MalformedPacketException.class).hasMessageContaining("not 200");
        assertThatThrownBy(() -> decode("HTTP/1.1 200 OK\r\nST: x\r\n\r\n")).isInstanceOf(MalformedPacketException.class).hasMessageContaining("LOCATION");
        assertThatThrownBy(() -> decode(MINIUPNPD_ANSWER.replace("http://192.168.1.1:5555", "https://192.168.1.1:5555")))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("http URL");
        assertThatThrownBy(() -> decode(MINIUPNPD_ANSWER.replace("192.168.1.1", "router.example")))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("IPv4 host");
        assertThatThrownBy(() -> decode(MINIUPNPD_ANSWER.replace("192.168.1.1", "192.168.1.999")))
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> decode(MINIUPNPD_ANSWER.replace("http://", "http://user@")))
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> decode(MINIUPNPD_ANSWER + "x".repeat(2048))).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> decode("HTTP/1.1 200 OK\r\n\u0000\r\n")).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void descriptionUrlMustBeTheAnsweringDeviceOnALocalSubnet() throws Exception {
        SearchResponse onLoopback = new SearchResponse(URI.create("http://127.0.0.1:5555/d.xml"), "st", "");
        assertThat(SsdpSearch.trustProblem(onLoopback, InetAddress.getByName("127.0.0.1"))).isNull();
        assertThat(SsdpSearch.trustProblem(onLoopback, InetAddress.getByName("127.0.0.2"))).contains("not the answering device");
        SearchResponse elsewhere = new SearchResponse(URI.create("http://198.51.100.7/d.xml"), "st", "");
        assertThat(SsdpSearch.trustProblem(elsewhere, InetAddress.getByName("198.51.100.7"))).contains("not on a local subnet");
    }

    @Test
    void mutatedAnswersNeverEscapeAsAnythingButMalformedPacketException() {
        long seed = Long.getLong("crust.test.seed", 1900L);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] original = MINIUPNPD_ANSWER.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 20_000; i++) {
            byte[] p = original.clone();
            switch (random.nextInt(3)) {
                case 0 -> {
                    for (int k = 0; k < 1 + random.nextInt(4); k++) {
                        p[random.nextInt(p.length)] = (byte) random.nextInt(256);
                    }
                }
                case 1 -> p = Arrays.copyOf(p, random.nextInt(p.length + 1));
                default -> p[random.nextInt(p.length)] = (byte) ":/\r\n 0.".charAt(random.nextInt(7));
            }
            try {
                SsdpMessages.decode(ByteBuffer.wrap(p));
            } catch (MalformedPacketException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " iteration " + i + ": " + new String(p, StandardCharsets.ISO_8859_1), e);
            }
        }
    }
}
