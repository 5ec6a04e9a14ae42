package io.crust.nat.upnp;

import io.crust.nat.gateway.MalformedPacketException;
import java.net.URI;
import java.util.List;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Finds the WAN connection service in an IGD device description (UPnP Device Architecture 1.1, section 2.3;
 * IGD:1 and IGD:2). The service sits three devices deep:
 * <pre>
 * root device   urn:schemas-upnp-org:device:InternetGatewayDevice:1|2
 *  +- device    urn:schemas-upnp-org:device:WANDevice:1|2
 *      +- device urn:schemas-upnp-org:device:WANConnectionDevice:1|2
 *          +- service urn:schemas-upnp-org:service:WANIPConnection:2 | WANIPConnection:1 | WANPPPConnection:1
 *               controlURL  (relative to URLBase, or to the description's own URL)
 * </pre>
 * Preference, best first: WANIPConnection:2 (has AddAnyPortMapping), WANIPConnection:1, WANPPPConnection:1.
 * The control URL must point at the same host and port as the description: a description cannot send our
 * SOAP requests elsewhere.
 */
public final class IgdDescription {
    public static final String WAN_IP_2 = "urn:schemas-upnp-org:service:WANIPConnection:2";
    public static final String WAN_IP_1 = "urn:schemas-upnp-org:service:WANIPConnection:1";
    public static final String WAN_PPP_1 = "urn:schemas-upnp-org:service:WANPPPConnection:1";
    private static final List<String> PREFERENCE = List.of(WAN_IP_2, WAN_IP_1, WAN_PPP_1);

    private IgdDescription() {
    }

    /** The WAN connection service to control: its type (which says the version) and its control URL. */
    public record WanService(String serviceType, URI controlUrl) {
        /** IGD:2 WANIPConnection has AddAnyPortMapping. */
        public boolean isVersion2() {
            return serviceType.endsWith(":2");
        }
    }

    public static WanService parse(byte[] xml, URI location) throws MalformedPacketException {
        Document doc = XmlDocuments.parse(xml);
        Element root = doc.getDocumentElement();
        if (!"root".equals(XmlDocuments.localNameOf(root))) {
            throw new MalformedPacketException("device description root element is not <root>");
        }
        URI base = location;
        String urlBase = XmlDocuments.childText(root, "URLBase");
        if (urlBase != null && !urlBase.isEmpty()) {
            base = SsdpMessages.httpUrlWithIpHost(urlBase);
        }
        NodeList services = doc.getElementsByTagNameNS("*", "service");
        for (String wanted : PREFERENCE) {
            for (int i = 0; i < services.getLength(); i++) {
                Element service = (Element) services.item(i);
                if (wanted.equals(XmlDocuments.childText(service, "serviceType"))) {
                    String control = XmlDocuments.childText(service, "controlURL");
                    if (control == null || control.isEmpty()) {
                        throw new MalformedPacketException(wanted + " has no controlURL");
                    }
                    return new WanService(wanted, sameOrigin(resolve(base, control), location));
                }
            }
        }
        throw new MalformedPacketException("no WANIPConnection or WANPPPConnection service in the description");
    }

    private static URI resolve(URI base, String reference) throws MalformedPacketException {
        try {
            return base.resolve(reference.trim());
        } catch (IllegalArgumentException e) {
            throw new MalformedPacketException("bad controlURL: " + SsdpMessages.shorten(reference), e);
        }
    }

    private static URI sameOrigin(URI control, URI location) throws MalformedPacketException {
        if (!"http".equalsIgnoreCase(control.getScheme()) || control.getHost() == null
                || !control.getHost().equals(location.getHost()) || control.getPort() != location.getPort()) {
            throw new MalformedPacketException("controlURL " + SsdpMessages.shorten(control.toString())
                    + " is not on the device that described it (" + location.getHost() + ":" + location.getPort() + ")");
        }
        return control;
    }
}
