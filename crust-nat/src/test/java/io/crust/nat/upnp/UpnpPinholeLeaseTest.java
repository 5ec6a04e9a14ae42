package io.crust.nat.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.IpProtocol;
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
 * {@code PortMapperLabTest}): AddPinhole, UpdatePinhole to renew and check, AddPinhole again once the
 * IGD answers NoSuchEntry, DeletePinhole on release.
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
        control.close();
        igd.close();
    }

    @Test
    void aPinholeIsAddedForTheHostsCanonicalAddressRenewedByUpdateAndDeletedOnRelease() throws Exception {
        UpnpPinholeLease lease = new UpnpPinholeLease(control, host, IpProtocol.UDP, 4000, 3600);
        Grant first = lease.acquire();
        assertThat(first.external()).isEqualTo(new InetSocketAddress(host, 4000));
        assertThat(first.lifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(first.renewIn()).isEqualTo(Duration.ofMinutes(45));
        assertThat(first.gatewayLostState()).isFalse();
        assertThat(igd.requests.get(0)).contains("AddPinhole").contains("<InternalClient>2001:db8:1::2</InternalClient>")
                .contains("<InternalPort>4000</InternalPort>").contains("<Protocol>17</Protocol>")
                .contains("<LeaseTime>3600</LeaseTime>").contains("<RemoteHost></RemoteHost>");

        assertThat(lease.stillMapped()).isTrue();
        assertThat(lease.acquire().gatewayLostState()).isFalse();
        lease.release();
        assertThat(igd.requests).hasSize(4);
        assertThat(igd.requests.get(1)).contains("UpdatePinhole").contains("<UniqueID>7</UniqueID>");
        assertThat(igd.requests.get(2)).contains("UpdatePinhole").contains("<NewLeaseTime>3600</NewLeaseTime>");
        assertThat(igd.requests.get(3)).contains("DeletePinhole").contains("<UniqueID>7</UniqueID>");
    }

    @Test
    void aPinholeTheIgdForgotIsSeenByTheCheckAndAddedAgainAsLost() throws Exception {
        UpnpPinholeLease lease = new UpnpPinholeLease(control, host, IpProtocol.TCP, 4000, 600);
        lease.acquire();
        igd.forget = true;
        assertThat(lease.stillMapped()).isFalse();
        igd.forget = false;
        Grant again = lease.acquire();
        assertThat(again.gatewayLostState()).isFalse();
        igd.forget = true;
        Grant readded = lease.acquire();
        assertThat(readded.gatewayLostState()).as("NoSuchEntry to the renewal").isTrue();
        assertThat(igd.requests.getLast()).contains("AddPinhole").contains("<Protocol>6</Protocol>");
        lease.release(); // 704 to a delete is no error: the pinhole is gone either way
    }

    @Test
    void theLeaseAskedForIsCappedAtADay() throws Exception {
        UpnpPinholeLease lease = new UpnpPinholeLease(control, host, IpProtocol.UDP, 4000, 7 * 86_400);
        assertThat(lease.acquire().lifetime()).isEqualTo(Duration.ofDays(1));
        assertThat(igd.requests.get(0)).contains("<LeaseTime>86400</LeaseTime>");
    }

    /** Answers AddPinhole with UniqueID 7, 8, ...; UpdatePinhole and DeletePinhole with success, or 704 once told to forget. */
    private static final class FakeFirewall implements AutoCloseable {
        private static final Pattern ACTION = Pattern.compile("#(\\w+)\"");
        final List<String> requests = new CopyOnWriteArrayList<>();
        volatile boolean forget;
        private final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private int nextId = 7;
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
                        body = "<u:AddPinholeResponse xmlns:u=\"" + FirewallControl.SERVICE + "\"><UniqueID>" + nextId++
                                + "</UniqueID></u:AddPinholeResponse>";
                    } else if (forget) {
                        status = 500;
                        body = "<s:Fault><detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>704</errorCode>"
                                + "<errorDescription>NoSuchEntry</errorDescription></UPnPError></detail></s:Fault>";
                    } else {
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
