package io.crust.demo.nat;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.demo.Main;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code nat map} on a lab host behind miniupnpd: for each protocol the printed external address lets a
 * datagram from the internet reach the host, and after SIGTERM the dnat rule is gone from the router.
 */
@Timeout(300)
class NatMapLabTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void natMapLetsAnInternetDatagramInAndDeletesTheMappingOnSigterm() throws Exception {
        try (NatLab lab = NatLab.start("natmap")) {
            Site site = lab.site(NatKind.UPNP);
            LabHost internet = lab.publicHost();
            int port = 42000;
            for (String protocol : new String[] {"natpmp", "pcp", "upnp", "auto"}) {
                port++;
                LabProcess receiver = site.host().startJava(ReceiveOne.class, Integer.toString(port));
                receiver.awaitLine(l -> l.equals("LISTENING"), WAIT);
                LabProcess map = site.host().startJava(Main.class, "nat", "map", "--protocol", protocol,
                        "--port", Integer.toString(port), "--transport", "udp", "--lease", "300", "--json");
                String mapped = map.awaitLine(l -> l.contains("\"event\":\"mapped\"") || l.contains("\"event\":\"error\""), WAIT);
                String external = site.publicAddress().getHostAddress() + ":" + port;
                assertThat(mapped).as(protocol).contains("\"external\":\"" + external + "\"");
                assertThat(mapped).contains("\"protocol\":\"" + (protocol.equals("auto") ? "pcp" : protocol) + "\"");
                assertThat(routerRules(site)).contains("dport " + port + " dnat");

                internet.exec(Duration.ofSeconds(30), "bash", "-c", "for i in 1 2 3 4 5; do echo from-internet > /dev/udp/"
                        + external.replace(':', '/') + "; sleep 0.3; done").orThrow();
                assertThat(receiver.awaitLine(l -> l.startsWith("RECEIVED") || l.startsWith("NOTHING"), WAIT))
                        .as(protocol).startsWith("RECEIVED from-internet");

                // SIGTERM by hand: LabProcess.close() would too, but Process.destroy() also closes our end of
                // its stdout, and the "unmapped" line comes after the signal
                site.host().exec(Duration.ofSeconds(20), "kill", "-TERM", Long.toString(map.pid())).orThrow();
                assertThat(map.awaitLine(l -> l.contains("\"event\":\"unmapped\""), WAIT)).contains(external);
                assertThat(map.waitFor(WAIT)).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook finished
                assertThat(routerRules(site)).as(protocol + " after exit").doesNotContain("dport " + port + " ");
                receiver.close();
            }
        }
    }

    private static String routerRules(Site site) throws Exception {
        return site.router().exec(Duration.ofSeconds(20), "nft", "list", "chain", "inet", "filter", "prerouting_miniupnpd")
                .orThrow().stdout();
    }

    /** {@code ReceiveOne <port>}: prints LISTENING, then RECEIVED text (or NOTHING after 60 s). */
    public static final class ReceiveOne {
        public static void main(String[] args) throws Exception {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(Integer.parseInt(args[0])))) {
                System.out.println("LISTENING");
                socket.setSoTimeout(60_000);
                byte[] b = new byte[1500];
                DatagramPacket p = new DatagramPacket(b, b.length);
                try {
                    socket.receive(p);
                    System.out.println("RECEIVED " + new String(b, 0, p.getLength(), StandardCharsets.UTF_8).trim());
                } catch (java.net.SocketTimeoutException e) {
                    System.out.println("NOTHING");
                }
            }
        }
    }
}
