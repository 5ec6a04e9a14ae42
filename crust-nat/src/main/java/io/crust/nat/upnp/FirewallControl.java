package io.crust.nat.upnp;

import io.crust.nat.IpLiteral;
import io.crust.nat.IpProtocol;
import io.crust.nat.NatException;
import io.crust.nat.gateway.MalformedReplyException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The IGD's WANIPv6FirewallControl:1 service (UPnP IGD:2): inbound pinholes in the router's IPv6 firewall.
 *
 * <p>The IGD lets a control point open a pinhole only for the address the request comes from (miniupnpd
 * compares the InternalClient text with the sender's address as {@code inet_ntop} prints it), so the SOAP
 * requests go over IPv6, from the pinhole's address, to the IGD's IPv6 address; jupnp, which found the IGD
 * over IPv4, does not carry them. One request per action:
 * <pre>
 * POST /ctl/IP6FCtl HTTP/1.1
 * SOAPAction: "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1#AddPinhole"
 *
 * &lt;s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="..."&gt;&lt;s:Body&gt;
 *   &lt;u:AddPinhole xmlns:u="urn:schemas-upnp-org:service:WANIPv6FirewallControl:1"&gt;
 *     &lt;RemoteHost&gt;&lt;/RemoteHost&gt;&lt;RemotePort&gt;0&lt;/RemotePort&gt;            (any remote)
 *     &lt;InternalClient&gt;2001:db8:1::2&lt;/InternalClient&gt;&lt;InternalPort&gt;4000&lt;/InternalPort&gt;
 *     &lt;Protocol&gt;17&lt;/Protocol&gt;&lt;LeaseTime&gt;3600&lt;/LeaseTime&gt;             (IANA number; 1..86400 s)
 *   &lt;/u:AddPinhole&gt;&lt;/s:Body&gt;&lt;/s:Envelope&gt;
 * </pre>
 * The answer is {@code <u:AddPinholeResponse><UniqueID>7</UniqueID></u:AddPinholeResponse>}, or HTTP 500
 * with {@code <UPnPError><errorCode>606</errorCode><errorDescription>...}. For a pinhole it already has, the
 * IGD extends the lease and answers with its UniqueID, so AddPinhole also renews ({@link UpnpPinholeLease}).
 * DeletePinhole (UniqueID) deletes, or answers 704 NoSuchEntry for a pinhole the IGD no longer has.
 *
 * <p>Like the rest of the UPnP code: no proxy, no redirects, each exchange bounded by the HTTP timeout and
 * the answer by {@link HttpStreamClient#MAX_BODY_BYTES} ({@link HttpAnswer}); DTDs are refused and the
 * answer's text is never looked up as a name.
 */
final class FirewallControl {
    static final String SERVICE = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";
    /** NoSuchEntry: the IGD has no pinhole of that UniqueID (it expired, or the IGD restarted). */
    static final int NO_SUCH_ENTRY = 704;
    /** The longest LeaseTime the service accepts, in seconds. */
    static final long MAX_LEASE_SECONDS = 86_400;

    /** The longest status line and headers read from an answer. */
    static final int MAX_HEAD_BYTES = 8 * 1024;

    private final InetSocketAddress igd;
    private final String path;
    private final InetAddress source;
    private final Duration timeout;

    /**
     * @param igd    the IGD's IPv6 address (a link-local one with its interface as scope) and HTTP port
     * @param path   the service's control path (and query), from the device description
     * @param source the address the requests come from: the one pinholes are opened for
     */
    FirewallControl(InetSocketAddress igd, String path, InetAddress source, Duration timeout) {
        this.igd = igd;
        this.path = path;
        this.source = source;
        this.timeout = timeout;
    }

    /** Where the actions go, for messages: {@code http://[2001:db8:1::1]:5555/ctl/IP6FCtl}. */
    String control() {
        InetAddress address = igd.getAddress();
        String zone = address instanceof Inet6Address a && a.getScopedInterface() != null
                ? "%" + a.getScopedInterface().getName() : "";
        return "http://[" + IpLiteral.canonical(address) + zone + "]:" + igd.getPort() + path;
    }

    /** AddPinhole for any remote host and port: the pinhole's UniqueID. */
    int addPinhole(InetAddress internalClient, int port, IpProtocol transport, long leaseSeconds) throws NatException {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("RemoteHost", "");
        args.put("RemotePort", "0");
        args.put("InternalClient", IpLiteral.canonical(internalClient));
        args.put("InternalPort", Integer.toString(port));
        args.put("Protocol", transport == IpProtocol.UDP ? "17" : "6");
        args.put("LeaseTime", Long.toString(leaseSeconds));
        String id = call("AddPinhole", args, "UniqueID");
        try {
            int uniqueId = Integer.parseInt(id.trim());
            if (uniqueId < 0 || uniqueId > 65535) {
                throw new NumberFormatException("out of range");
            }
            return uniqueId;
        } catch (NumberFormatException e) {
            throw new MalformedReplyException("AddPinhole answered UniqueID '" + MalformedReplyException.shown(id) + "', not 0..65535");
        }
    }

    /** DeletePinhole. */
    void deletePinhole(int uniqueId) throws NatException {
        call("DeletePinhole", Map.of("UniqueID", Integer.toString(uniqueId)), null);
    }

    /**
     * Sends one action over a connection of its own, from {@link #source} (java.net.http can neither take a
     * link-local address with its zone nor is needed for one request); returns the output argument
     * {@code output} (null: none is read). The whole exchange, connect included, is bounded by the timeout.
     */
    private String call(String action, Map<String, String> args, String output) throws NatException {
        byte[] body = envelope(action, args).getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: [" + IpLiteral.canonical(igd.getAddress()) + "]:" + igd.getPort() + "\r\n"
                + "Content-Type: text/xml; charset=\"utf-8\"\r\n"
                + "SOAPAction: \"" + SERVICE + "#" + action + "\"\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            try {
                socket.connect(igd, (int) Math.max(1, timeout.toMillis()));
            } catch (SocketTimeoutException e) {
                throw new NatException(action + " to " + control() + ": no connection within " + timeout.toMillis() + " ms", e);
            }
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            HttpAnswer answer = HttpAnswer.read(new BufferedInputStream(new DeadlineInput(socket, deadline)), MAX_HEAD_BYTES,
                    HttpStreamClient.MAX_BODY_BYTES);
            return answer(action, answer.status(), answer.body(), output);
        } catch (SocketTimeoutException e) {
            throw new NatException(action + " to " + control() + ": no whole answer within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            if (e instanceof NatException n) {
                throw n;
            }
            throw new NatException(action + " to " + control() + " failed: " + e, e);
        }
    }

    /** The SOAP request body of {@code action} with its arguments in order. */
    static String envelope(String action, Map<String, String> args) {
        StringBuilder xml = new StringBuilder(512);
        xml.append("<?xml version=\"1.0\"?>\r\n")
                .append("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"")
                .append(" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>")
                .append("<u:").append(action).append(" xmlns:u=\"").append(SERVICE).append("\">");
        args.forEach((name, value) -> xml.append('<').append(name).append('>').append(escape(value))
                .append("</").append(name).append('>'));
        return xml.append("</u:").append(action).append("></s:Body></s:Envelope>\r\n").toString();
    }

    /**
     * Reads an answer: the output argument {@code output} of a 200 answer ({@code null} when none is wanted),
     * the UPnPError of a 500 answer as {@link UpnpActionException}, anything else as malformed.
     */
    static String answer(String action, int status, byte[] body, String output) throws NatException {
        Document document;
        try {
            document = SafeXml.parse(body);
        } catch (IOException | org.xml.sax.SAXException | javax.xml.parsers.ParserConfigurationException e) {
            throw new MalformedReplyException(action + " answer (HTTP " + status + ") is not XML: " + e.getMessage());
        }
        if (status == 500) {
            String code = onlyText(document, "errorCode");
            String description = onlyText(document, "errorDescription");
            try {
                int errorCode = Integer.parseInt(code == null ? "" : code.trim());
                throw new UpnpActionException(action, errorCode, description == null ? "" : MalformedReplyException.shown(description.trim()));
            } catch (NumberFormatException e) {
                throw new MalformedReplyException(action + " fault without a numeric errorCode");
            }
        }
        if (status != 200) {
            throw new MalformedReplyException(action + " answered HTTP " + status);
        }
        if (onlyElement(document, action + "Response") == null) {
            throw new MalformedReplyException(action + " answer has no " + action + "Response");
        }
        if (output == null) {
            return null;
        }
        String value = onlyText(document, output);
        if (value == null) {
            throw new MalformedReplyException(action + " answer has no " + output);
        }
        return value;
    }

    /** The text of the one element named {@code localName} (any namespace), null when there is none; two is an error. */
    private static String onlyText(Document document, String localName) throws MalformedReplyException {
        Element element = onlyElement(document, localName);
        return element == null ? null : element.getTextContent();
    }

    private static Element onlyElement(Document document, String localName) throws MalformedReplyException {
        NodeList found = document.getElementsByTagNameNS("*", localName);
        if (found.getLength() > 1) {
            throw new MalformedReplyException("the answer has " + found.getLength() + " " + localName + " elements");
        }
        Node node = found.item(0);
        return node instanceof Element e ? e : null;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

}
