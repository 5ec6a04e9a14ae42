package io.crust.testkit.lab.probe;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a UDP port on a lab gateway by hand, the plainest way each protocol allows, then waits for
 * one datagram from the internet on it. Usage:
 * <pre>
 *   GatewayProbe upnp   &lt;gateway-ip&gt; &lt;this-host-ip&gt; &lt;port&gt;   (UPnP IGD: SOAP AddPortMapping over HTTP)
 *   GatewayProbe natpmp &lt;gateway-ip&gt; &lt;port&gt;                  (NAT-PMP, RFC 6886)
 * </pre>
 * Prints {@code EXTERNAL <ip>}, {@code MAPPED <external-port>}, then {@code RECEIVED <text> FROM
 * <ip:port>} when a datagram arrives (or {@code NOTHING} after 30 s).
 *
 * <p>This is a test probe, not the project's UPnP client (crust-nat has that): it finds the
 * WANIPConnection control URL in {@code /rootDesc.xml} (miniupnpd's description path) with a
 * regular expression instead of SSDP discovery and an XML parser.
 */
public final class GatewayProbe {

    private static final int UPNP_HTTP_PORT = 5555;
    private static final int NAT_PMP_PORT = 5351;
    private static final Duration RECEIVE_WAIT = Duration.ofSeconds(30);

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("upnp")) {
            upnp(args[1], args[2], Integer.parseInt(args[3]));
        } else if (args.length == 3 && args[0].equals("natpmp")) {
            natPmp(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        } else {
            System.err.println("usage: GatewayProbe upnp <gateway> <host> <port> | natpmp <gateway> <port>");
            System.exit(2);
        }
    }

    private static void upnp(String gateway, String host, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://" + gateway + ":" + UPNP_HTTP_PORT;
        String description = http.send(HttpRequest.newBuilder(URI.create(base + "/rootDesc.xml"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher service = Pattern.compile(
                "<serviceType>(urn:schemas-upnp-org:service:WANIPConnection:\\d)</serviceType>.*?<controlURL>([^<]+)</controlURL>",
                Pattern.DOTALL).matcher(description);
        if (!service.find()) {
            throw new IOException("no WANIPConnection service in " + base + "/rootDesc.xml");
        }
        String serviceType = service.group(1);
        URI control = URI.create(base + service.group(2));
        String external = soap(http, control, serviceType, "GetExternalIPAddress", "");
        Matcher ip = Pattern.compile("<NewExternalIPAddress>([^<]*)</NewExternalIPAddress>").matcher(external);
        System.out.println("EXTERNAL " + (ip.find() ? ip.group(1) : "?"));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(port))) {
            soap(http, control, serviceType, "AddPortMapping",
                    "<NewRemoteHost></NewRemoteHost><NewExternalPort>" + port + "</NewExternalPort>"
                    + "<NewProtocol>UDP</NewProtocol><NewInternalPort>" + port + "</NewInternalPort>"
                    + "<NewInternalClient>" + host + "</NewInternalClient><NewEnabled>1</NewEnabled>"
                    + "<NewPortMappingDescription>crust-lab-probe</NewPortMappingDescription>"
                    + "<NewLeaseDuration>600</NewLeaseDuration>");
            System.out.println("MAPPED " + port);
            awaitDatagram(socket);
        }
    }

    private static String soap(HttpClient http, URI control, String serviceType, String action, String arguments)
            throws IOException, InterruptedException {
        String body = "<?xml version=\"1.0\"?>"
                + "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
                + " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>"
                + "<u:" + action + " xmlns:u=\"" + serviceType + "\">" + arguments + "</u:" + action + ">"
                + "</s:Body></s:Envelope>";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(control)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml; charset=\"utf-8\"")
                .header("SOAPAction", "\"" + serviceType + "#" + action + "\"")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(action + " failed: HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /**
     * NAT-PMP (RFC 6886): an external-address request (section 3.2: version 0, opcode 0) and a UDP
     * mapping request (section 3.3), each retried from 250 ms with doubling waits (section 3.1).
     * <pre>
     *  mapping request                        mapping response
     *  0       1       2               4      0       1       2               4
     * +-------+-------+---------------+      +-------+-------+---------------+
     * | Vers=0| OP=1  |   Reserved    |      | Vers=0|OP=129 |  Result Code  |
     * +-------+-------+---------------+      +-------+-------+---------------+
     * | Internal Port | Suggested Ext.|      |  Seconds Since Start of Epoch |
     * +---------------+---------------+      +---------------+---------------+
     * |  Requested Lifetime (seconds) |      | Internal Port | Mapped Ext.   |
     * +-------------------------------+      +---------------+---------------+
     *                                        |  Lifetime in Seconds          |
     *                                        +-------------------------------+
     * </pre>
     */
    private static void natPmp(InetAddress gateway, int port) throws IOException {
        InetSocketAddress server = new InetSocketAddress(gateway, NAT_PMP_PORT);
        try (DatagramSocket control = new DatagramSocket(new InetSocketAddress(0));
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress(port))) {
            ByteBuffer address = exchange(control, server, new byte[] {0, 0}, 12, 128);
            System.out.println("EXTERNAL " + (address.get(8) & 0xff) + "." + (address.get(9) & 0xff) + "."
                    + (address.get(10) & 0xff) + "." + (address.get(11) & 0xff));
            ByteBuffer request = ByteBuffer.allocate(12).put((byte) 0).put((byte) 1).putShort((short) 0)
                    .putShort((short) port).putShort((short) port).putInt(600);
            ByteBuffer mapped = exchange(control, server, request.array(), 16, 129);
            System.out.println("MAPPED " + (mapped.getShort(10) & 0xffff));
            awaitDatagram(socket);
        }
    }

    /** Sends {@code request} until a response of {@code length} bytes with {@code opcode} and result 0 arrives. */
    private static ByteBuffer exchange(DatagramSocket socket, InetSocketAddress server, byte[] request, int length,
                                       int opcode) throws IOException {
        Duration wait = Duration.ofMillis(250);
        for (int attempt = 0; attempt < 9; attempt++, wait = wait.multipliedBy(2)) {
            socket.send(new DatagramPacket(request, request.length, server));
            socket.setSoTimeout((int) wait.toMillis());
            byte[] buffer = new byte[64];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (java.net.SocketTimeoutException e) {
                continue;
            }
            ByteBuffer response = ByteBuffer.wrap(buffer, 0, packet.getLength());
            if (packet.getLength() < length || response.get(0) != 0 || (response.get(1) & 0xff) != opcode) {
                throw new IOException("malformed NAT-PMP response of " + packet.getLength() + " bytes");
            }
            int result = response.getShort(2) & 0xffff;
            if (result != 0) {
                throw new IOException("NAT-PMP result code " + result);
            }
            return response;
        }
        throw new IOException("no NAT-PMP answer from " + server);
    }

    private static void awaitDatagram(DatagramSocket socket) throws IOException {
        System.out.println("LISTENING " + socket.getLocalPort());
        Probes.Received received = Probes.receive(socket, RECEIVE_WAIT);
        System.out.println(received == null ? "NOTHING" : "RECEIVED " + received.text() + " FROM " + Probes.format(received.sender()));
    }
}
