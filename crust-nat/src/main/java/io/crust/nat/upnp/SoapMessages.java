package io.crust.nat.upnp;

import io.crust.nat.gateway.MalformedPacketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * SOAP 1.1 action calls as UPnP uses them (Device Architecture 1.1, section 3.2). Pure codec.
 *
 * <pre>
 * POST /ctl/IPConn HTTP/1.1
 * CONTENT-TYPE: text/xml; charset="utf-8"
 * SOAPACTION: "urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping"
 *
 * &lt;s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
 *             s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"&gt;
 *   &lt;s:Body&gt;&lt;u:AddPortMapping xmlns:u="urn:...:WANIPConnection:1"&gt;
 *     &lt;NewExternalPort&gt;4000&lt;/NewExternalPort&gt; ...
 *   &lt;/u:AddPortMapping&gt;&lt;/s:Body&gt;
 * &lt;/s:Envelope&gt;
 * </pre>
 * The answer's Body holds {@code <u:ActionResponse>} with one child per out argument, or a {@code Fault}
 * whose {@code detail/UPnPError} carries {@code errorCode} and {@code errorDescription}.
 */
public final class SoapMessages {
    public static final String ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/";
    /** A SOAP answer longer than this is refused before parsing. */
    public static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private SoapMessages() {
    }

    /** The SOAPACTION header value, quoted as the spec requires. */
    public static String soapAction(String serviceType, String action) {
        return "\"" + serviceType + "#" + action + "\"";
    }

    /** The request body; argument order is kept (UPnP requires the order of the service description). */
    public static byte[] request(String serviceType, String action, Map<String, String> arguments) {
        StringBuilder b = new StringBuilder(512);
        b.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n")
                .append("<s:Envelope xmlns:s=\"").append(ENVELOPE_NS)
                .append("\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">")
                .append("<s:Body><u:").append(action).append(" xmlns:u=\"").append(escape(serviceType)).append("\">");
        for (Map.Entry<String, String> a : arguments.entrySet()) {
            b.append('<').append(a.getKey()).append('>').append(escape(a.getValue()))
                    .append("</").append(a.getKey()).append('>');
        }
        b.append("</u:").append(action).append("></s:Body></s:Envelope>\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads an answer to {@code action}: the out arguments by name, or {@link UpnpActionException} for a
     * UPnPError fault. Anything else is {@link MalformedPacketException}.
     */
    public static Map<String, String> response(String action, byte[] body) throws MalformedPacketException,
            UpnpActionException {
        if (body.length > MAX_RESPONSE_BYTES) {
            throw new MalformedPacketException("SOAP answer of " + body.length + " bytes is too large");
        }
        Element envelope = XmlDocuments.parse(body).getDocumentElement();
        if (!"Envelope".equals(XmlDocuments.localNameOf(envelope)) || !ENVELOPE_NS.equals(envelope.getNamespaceURI())) {
            throw new MalformedPacketException("SOAP answer is not a SOAP 1.1 Envelope");
        }
        List<Element> bodies = XmlDocuments.children(envelope, "Body");
        if (bodies.size() != 1) {
            throw new MalformedPacketException("SOAP Envelope has " + bodies.size() + " Body elements");
        }
        List<Element> content = XmlDocuments.childElements(bodies.get(0));
        if (content.size() != 1) {
            throw new MalformedPacketException("SOAP Body has " + content.size() + " elements, expected 1");
        }
        Element answer = content.get(0);
        String name = XmlDocuments.localNameOf(answer);
        if ("Fault".equals(name)) {
            throw fault(action, answer);
        }
        if (!(action + "Response").equals(name)) {
            throw new MalformedPacketException("SOAP answer " + SsdpMessages.shorten(name) + " does not answer " + action);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Element arg : XmlDocuments.childElements(answer)) {
            out.put(XmlDocuments.localNameOf(arg), arg.getTextContent().trim());
        }
        return out;
    }

    private static UpnpActionException fault(String action, Element fault) throws MalformedPacketException {
        var detail = fault.getElementsByTagNameNS("*", "UPnPError");
        if (detail.getLength() == 0) {
            String faultString = XmlDocuments.childText(fault, "faultstring");
            throw new MalformedPacketException("SOAP fault without UPnPError: " + (faultString == null ? "" : SsdpMessages.shorten(faultString)));
        }
        Element error = (Element) detail.item(0);
        String code = XmlDocuments.childText(error, "errorCode");
        String description = XmlDocuments.childText(error, "errorDescription");
        int number;
        try {
            number = Integer.parseInt(code == null ? "" : code);
        } catch (NumberFormatException e) {
            throw new MalformedPacketException("UPnPError errorCode is not a number: " + (code == null ? "missing" : SsdpMessages.shorten(code)));
        }
        return new UpnpActionException(action, number, description == null ? "" : SsdpMessages.shorten(description));
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
