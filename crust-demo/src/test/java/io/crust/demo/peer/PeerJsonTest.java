package io.crust.demo.peer;

import static io.crust.demo.peer.JsonPeer.field;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two demo peers in --json mode on loopback, driven through their standard input as a script would. */
class PeerJsonTest {
    @TempDir
    Path dir;

    @Test
    void twoPeersConnectByAddressChatAndSendAFileIntact() throws Exception {
        try (JsonPeer a = new JsonPeer(dir.resolve("a"));
                JsonPeer b = new JsonPeer(dir.resolve("b"))) {
            String startedA = a.await("started");
            String startedB = b.await("started");
            String idA = field(startedA, "id");
            String idB = field(startedB, "id");
            assertThat(idA).hasSize(52);
            assertThat(field(startedA, "tcp")).matches("[0-9]+");

            b.command("connect 127.0.0.1:" + field(startedA, "tcp"));
            String connectedAtB = b.await("connected");
            assertThat(field(connectedAtB, "peer")).isEqualTo(idA);
            assertThat(field(connectedAtB, "transport")).isEqualTo("tcp");
            assertThat(field(connectedAtB, "route")).isEqualTo("direct");
            assertThat(field(connectedAtB, "remote")).isEqualTo("127.0.0.1:" + field(startedA, "tcp"));
            assertThat(field(connectedAtB, "family")).isEqualTo("ipv4");
            assertThat(field(connectedAtB, "already")).isEqualTo("false");
            assertThat(field(a.await("connected"), "peer")).isEqualTo(idB);

            b.command("send " + idA + " hello there, \"A\"");
            String message = a.await("message");
            assertThat(field(message, "peer")).isEqualTo(idB);
            assertThat(field(message, "text")).isEqualTo("hello there, \"A\"");

            // A answers with the short prefix of B's id, as a person would type it.
            a.command("send " + idB.substring(0, 6) + " hi B");
            assertThat(field(b.await("message"), "text")).isEqualTo("hi B");

            byte[] content = new byte[3 * 1024 * 1024 + 12345];
            new Random(42).nextBytes(content);
            Path file = dir.resolve("payload.bin");
            Files.write(file, content);
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));

            b.command("sendfile " + idA + " " + file);
            String received = a.await("file");
            assertThat(field(received, "peer")).isEqualTo(idB);
            assertThat(field(received, "bytes")).isEqualTo(String.valueOf(content.length));
            assertThat(field(received, "sha256")).isEqualTo(sha256);
            Path saved = Path.of(field(received, "path"));
            assertThat(saved.getParent()).isEqualTo(dir.resolve("a").resolve("received").toAbsolutePath());
            assertThat(Files.readAllBytes(saved)).isEqualTo(content);
            assertThat(field(b.await("file-sent"), "sha256")).isEqualTo(sha256);

            b.command("peers");
            assertThat(b.await("peers")).contains(idA);

            // Connecting to a peer that is connected already is answered too, and says so.
            b.command("connect " + idA);
            String again = b.await("connected");
            assertThat(field(again, "peer")).isEqualTo(idA);
            assertThat(field(again, "already")).isEqualTo("true");

            assertThat(b.quit()).isZero();
            assertThat(field(a.await("lost"), "peer")).isEqualTo(idB);
            assertThat(a.quit()).isZero();
        }
    }

    @Test
    void twoPeersBoundToIpv6LoopbackReportAnIpv6ConnectionAndExchangeAMessage() throws Exception {
        try (JsonPeer a = new JsonPeer(dir.resolve("a"), "--bind", "::1");
                JsonPeer b = new JsonPeer(dir.resolve("b"), "--bind", "::1")) {
            String startedA = a.await("started");
            String idA = field(startedA, "id");
            b.await("started");

            b.command("connect [::1]:" + field(startedA, "tcp"));
            String connectedAtB = b.await("connected");
            assertThat(field(connectedAtB, "peer")).isEqualTo(idA);
            assertThat(field(connectedAtB, "remote")).isEqualTo("[0:0:0:0:0:0:0:1]:" + field(startedA, "tcp"));
            assertThat(field(connectedAtB, "family")).isEqualTo("ipv6");
            assertThat(field(a.await("connected"), "family")).isEqualTo("ipv6");

            b.command("send " + idA + " hello over IPv6");
            assertThat(field(a.await("message"), "text")).isEqualTo("hello over IPv6");
        }
    }

    @Test
    void mistakesGiveErrorEventsAndThePeerKeepsRunning() throws Exception {
        try (JsonPeer a = new JsonPeer(dir.resolve("a"))) {
            String id = field(a.await("started"), "id");

            a.command("sned hello");
            assertThat(field(a.await("error"), "message")).contains("did you mean send?");
            a.command("send abcdefgh hi");
            assertThat(field(a.await("error"), "message")).contains("no known peer id starts with");
            a.command("connect 127.0.0.1:notaport");
            assertThat(a.await("error")).isNotNull();
            a.command("sendfile " + id + " /no/such/file");
            assertThat(a.await("error")).isNotNull();
            a.command("ban 300.1.1.1");
            assertThat(a.await("error")).isNotNull();

            a.command("id");
            assertThat(field(a.await("id"), "id")).isEqualTo(id);
            assertThat(a.lines()).allMatch(l -> l.startsWith("{\"event\":"));
            assertThat(a.quit()).isZero();
        }
    }

    @Test
    void aBannedPeerIsDroppedAndCannotReconnect() throws Exception {
        try (JsonPeer a = new JsonPeer(dir.resolve("a"));
                JsonPeer b = new JsonPeer(dir.resolve("b"))) {
            String startedA = a.await("started");
            String idB = field(b.await("started"), "id");
            b.command("connect 127.0.0.1:" + field(startedA, "tcp"));
            a.await("connected");

            a.command("ban " + idB);
            assertThat(field(a.await("banned"), "target")).isEqualTo(idB);
            b.await("lost");

            // B's handshake may complete before A checks the id, so B sees a refusal or a connection lost at once.
            b.command("connect 127.0.0.1:" + field(startedA, "tcp"));
            b.awaitLine("refusal", l -> "error".equals(field(l, "event")) || "lost".equals(field(l, "event")));
            a.command("peers");
            assertThat(a.await("peers")).doesNotContain(idB);
            assertThat(a.lines()).filteredOn(l -> "connected".equals(field(l, "event"))).hasSize(1);
        }
    }
}
