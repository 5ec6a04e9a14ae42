package io.crust.nat.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.IpProtocol;
import io.crust.nat.NatException;
import io.crust.nat.gateway.Grant;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pinhole's life against a fake WANIPv6FirewallControl on loopback (the lab's miniupnpd is in
 * {@code PortMapperLabTest}): AddPinhole to open, renew and check (a new UniqueID says the IGD lost the
 * pinhole), DeletePinhole on release.
 */
@Timeout(30)
class UpnpPinholeLeaseTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private FakeFirewall igd;
    private FirewallControl control;
    private Inet6Address host;

    @BeforeEach
    void start() throws Exception {
        igd = new FakeFirewall();
        control = new FirewallControl(new InetSocketAddress(InetAddress.getLoopbackAddress(), igd.port()), "/ctl/IP6FCtl",
                InetAddress.getLoopbackAddress(), TIMEOUT);
        host = (Inet6Address) InetAddress.getByName("2001:db8:1:0:0:0:0:2");
    }

    @AfterEach
    void stop() throws Exception {
        igd.close();
    }

    @Test
    void aPinholeIsAddedForTheHostsCanonicalAddressRenewedByAddingItAgainAndDeletedOnRelease() throws Exception {
        UpnpPinholeLease lease = new UpnpPinholeLease(control, host, IpProtocol.UDP, 4000, 3600);
        Grant first = lease.acquire();
        assertThat(first.external()).isEqualTo(new InetSocketAddress(host, 4000));
        assertThat(first.lifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(first.renewIn()).isEqualTo(Duration.ofMinutes(45));
        assertThat(first.gatewayLostState()).isFalse();
        assertThat(igd.requests.get(0)).contains("#AddPinhole").contains("<InternalClient>2001:db8:1::2</InternalClient>")
                .contains("<InternalPort>4000</InternalPort>").contains("<Protocol>17</Protocol>")
                .contains("<LeaseTime>3600</LeaseTime>").contains("<RemoteHost></RemoteHost>")
                .contains("Host: [127.0.0.1]").doesNotContain("UpdatePinhole");

        assertThat(lease.stillMapped()).isTrue();
        assertThat(lease.acquire().gatewayLostState()).isFalse();
        lease.release();
        assertThat(igd.requests).hasSize(4);
        assertThat(igd.requests.subList(1, 3)).allSatisfy(r -> assertThat(r).contains("#AddPinhole").contains("<LeaseTime>3600</LeaseTime>"));
        assertThat(igd.requests.get(3)).contains("#DeletePinhole").contains("<UniqueID>7</UniqueID>");
    }

    @Test
    void aPinholeTheIgdLostIsSeenByTheCheckAndItsNewUniqueIdIsTheOneDeleted() throws Exception {
        UpnpPinholeLease lease = new UpnpPinholeLease(control, host, IpProtocol.TCP, 4000, 600);
        lease.acquire();
        igd.restart(); // forgets its pinholes and numbers new ones from 20
        assertThat(lease.stillMapped()).as("a new UniqueID: the IGD had lost it").isFalse();
        assertThat(lease.stillMapped()).as("the same UniqueID again").isTrue();
        assertThat(lease.acquire().gatewayLostState()).isFalse();
        lease.release();
        assertThat(igd.requests.getLast()).contains("#DeletePinhole").contains("<UniqueID>20</UniqueID>");
        assertThat(igd.requests.getFirst()).contains("<Protocol>6</Protocol>");
    }

    @Test
    void aNoSuchEntryAnswerToTheDeleteIsNoError() throws Exception {
        UpnpPinholeLease lease = new UpnpPinholeLease(control, host, IpProtocol.UDP, 4000, 600);
        lease.acquire();
        igd.restart();
        lease.release(); // the pinhole is gone either way
        assertThat(igd.requests.getLast()).contains("#DeletePinhole");
    }

    @Test
    void anIgdThatTricklesItsAnswerIsCutOffAtTheTimeout() throws Exception {
        try (ServerSocket slow = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread trickler = Thread.ofVirtual().start(() -> {
                try (Socket s = slow.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
                    while (true) { // one header byte every 50 ms, never the end of the head
                        out.write('X');
                        out.flush();
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // the client gave up and closed
                }
            });
            FirewallControl patient = new FirewallControl(new InetSocketAddress(InetAddress.getLoopbackAddress(), slow.getLocalPort()),
                    "/ctl", InetAddress.getLoopbackAddress(), Duration.ofMillis(400));
            long start = System.nanoTime();
            assertThatThrownBy(() -> patient.addPinhole(host, 4000, IpProtocol.UDP, 60)).isInstanceOf(NatException.class)
                    .hasMessageContaining("no whole answer within 400 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            trickler.interrupt();
            trickler.join();
        }
    }

    @Test
    void anIgdThatNeverAnswersCostsTheTimeoutAndSaysSo() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            FirewallControl mute = new FirewallControl(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()),
                    "/ctl", InetAddress.getLoopbackAddress(), Duration.ofMillis(300));
            long start = System.nanoTime();
            assertThatThrownBy(() -> mute.addPinhole(host, 4000, IpProtocol.UDP, 60)).isInstanceOf(NatException.class)
                    .hasMessageContaining("no whole answer within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void theLeaseAskedForIsCappedAtADay() throws Exception {
        UpnpPinholeLease lease = new UpnpPinholeLease(control, host, IpProtocol.UDP, 4000, 7 * 86_400);
        assertThat(lease.acquire().lifetime()).isEqualTo(Duration.ofDays(1));
        assertThat(igd.requests.get(0)).contains("<LeaseTime>86400</LeaseTime>");
    }

    /**
     * Answers AddPinhole with the UniqueID of the pinhole it has for that protocol and port, adding one (7, 8, ...)
     * when it has none; DeletePinhole with success, or 704 for a UniqueID it does not have. {@link #restart()}
     * forgets every pinhole and numbers new ones from 20, as a rebooted IGD starts again.
     */
    private static final class FakeFirewall implements AutoCloseable {
        private static final Pattern ACTION = Pattern.compile("#(\\w+)\"");
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private final java.util.Map<String, Integer> pinholes = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile int nextId = 7;
        private final Thread thread;

        FakeFirewall() throws IOException {
            thread = Thread.ofVirtual().start(this::serve);
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    String request = read(s.getInputStream());
                    requests.add(request);
                    Matcher m = ACTION.matcher(request);
                    String action = m.find() ? m.group(1) : "?";
                    String body;
                    int status = 200;
                    if (action.equals("AddPinhole")) {
                        String key = field(request, "Protocol") + "/" + field(request, "InternalPort");
                        int id = pinholes.computeIfAbsent(key, k -> nextId++);
                        body = "<u:AddPinholeResponse xmlns:u=\"" + FirewallControl.SERVICE + "\"><UniqueID>" + id
                                + "</UniqueID></u:AddPinholeResponse>";
                    } else if (!pinholes.containsValue(Integer.parseInt(field(request, "UniqueID")))) {
                        status = 500;
                        body = "<s:Fault><detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>704</errorCode>"
                                + "<errorDescription>NoSuchEntry</errorDescription></UPnPError></detail></s:Fault>";
                    } else {
                        pinholes.values().remove(Integer.parseInt(field(request, "UniqueID")));
                        body = "<u:" + action + "Response xmlns:u=\"" + FirewallControl.SERVICE + "\"/>";
                    }
                    byte[] xml = ("<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                            + "<s:Body>" + body + "</s:Body></s:Envelope>").getBytes(StandardCharsets.UTF_8);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Internal Server Error") + "\r\nContent-Type: text/xml\r\n"
                            + "Content-Length: " + xml.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(xml);
                    out.flush();
                } catch (IOException e) {
                    // closed, or a client that went away
                }
            }
        }

        void restart() {
            pinholes.clear();
            nextId = 20;
        }

        private static String field(String request, String name) {
            Matcher m = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(request);
            return m.find() ? m.group(1) : "";
        }

        /** The request's headers and its body (Content-Length bytes). */
        private static String read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("request ended in the headers");
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.US_ASCII);
            Matcher length = Pattern.compile("content-length: *(\\d+)").matcher(headers.toLowerCase(Locale.ROOT));
            byte[] body = in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
            return headers + new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join();
        }
    }
}
