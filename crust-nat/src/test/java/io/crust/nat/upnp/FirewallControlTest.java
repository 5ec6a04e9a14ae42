package io.crust.nat.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.gateway.MalformedReplyException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The WANIPv6FirewallControl codec: the request envelope and the reading of answers, as miniupnpd sends them. */
class FirewallControlTest {

    @Test
    void theEnvelopeCarriesTheActionAndItsArgumentsInOrder() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("RemoteHost", "");
        args.put("InternalClient", "2001:db8:1::2");
        args.put("LeaseTime", "3600");
        String xml = FirewallControl.envelope("AddPinhole", args);
        assertThat(xml).contains("<u:AddPinhole xmlns:u=\"urn:schemas-upnp-org:service:WANIPv6FirewallControl:1\">"
                + "<RemoteHost></RemoteHost><InternalClient>2001:db8:1::2</InternalClient><LeaseTime>3600</LeaseTime>"
                + "</u:AddPinhole></s:Body></s:Envelope>");
    }

    @Test
    void argumentTextIsEscaped() {
        assertThat(FirewallControl.envelope("DeletePinhole", Map.of("UniqueID", "<1&2>")))
                .contains("<UniqueID>&lt;1&amp;2&gt;</UniqueID>");
    }

    @Test
    void theUniqueIdOfASuccessIsRead() throws Exception {
        String body = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + "<u:AddPinholeResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPv6FirewallControl:1\">"
                + "<UniqueID>7</UniqueID></u:AddPinholeResponse></s:Body></s:Envelope>";
        assertThat(FirewallControl.answer("AddPinhole", 200, bytes(body), "UniqueID")).isEqualTo("7");
    }

    @Test
    void aFaultBecomesAnActionExceptionWithItsErrorCode() {
        String body = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + "<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
                + "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>704</errorCode>"
                + "<errorDescription>NoSuchEntry</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>";
        assertThatThrownBy(() -> FirewallControl.answer("UpdatePinhole", 500, bytes(body), null))
                .isInstanceOfSatisfying(UpnpActionException.class, e -> assertThat(e.errorCode()).isEqualTo(704))
                .hasMessageContaining("UpdatePinhole").hasMessageContaining("NoSuchEntry");
    }

    @Test
    void anAnswerWithoutTheResponseElementOrTheOutputIsMalformed() {
        String other = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + "<u:DeletePinholeResponse xmlns:u=\"x\"/></s:Body></s:Envelope>";
        assertThatThrownBy(() -> FirewallControl.answer("AddPinhole", 200, bytes(other), "UniqueID"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("no AddPinholeResponse");
        String noId = other.replace("DeletePinholeResponse", "AddPinholeResponse");
        assertThatThrownBy(() -> FirewallControl.answer("AddPinhole", 200, bytes(noId), "UniqueID"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("no UniqueID");
        String twoIds = noId.replace("<u:AddPinholeResponse xmlns:u=\"x\"/>",
                "<u:AddPinholeResponse xmlns:u=\"x\"><UniqueID>1</UniqueID><UniqueID>2</UniqueID></u:AddPinholeResponse>");
        assertThatThrownBy(() -> FirewallControl.answer("AddPinhole", 200, bytes(twoIds), "UniqueID"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("2 UniqueID");
    }

    @Test
    void notXmlAnotherStatusAndADoctypeAreMalformed() {
        assertThatThrownBy(() -> FirewallControl.answer("AddPinhole", 200, bytes("not xml"), "UniqueID"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("not XML");
        assertThatThrownBy(() -> FirewallControl.answer("AddPinhole", 404, bytes("<a/>"), "UniqueID"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("HTTP 404");
        // refused at the DOCTYPE, before any entity is defined, let alone fetched (the file need not exist)
        String entity = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///nonexistent/crust-test\">]>"
                + "<u:AddPinholeResponse xmlns:u=\"x\"><UniqueID>&x;</UniqueID></u:AddPinholeResponse>";
        assertThatThrownBy(() -> FirewallControl.answer("AddPinhole", 200, bytes(entity), "UniqueID"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("not XML").hasMessageContaining("DOCTYPE");
        String noCode = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault/></s:Body></s:Envelope>";
        assertThatThrownBy(() -> FirewallControl.answer("AddPinhole", 500, bytes(noCode), "UniqueID"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("errorCode");
    }

    @Test
    void aControlPathThatCouldBreakTheRequestLineIsMalformed() throws Exception {
        URL spaced = URI.create("http://192.168.1.1:5555/ctl/IP6FCtl").toURL();
        URL withSpace = new URL(spaced, "/ctl/a b"); // URL, unlike URI, takes it as it is
        assertThatThrownBy(() -> UpnpSession.controlPath(withSpace)).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("visible ASCII");
    }

    @Test
    void aControlUrlPortOutOfRangeIsMalformed() throws Exception {
        URL found = URI.create("http://192.168.1.1:70000/ctl/IP6FCtl").toURL();
        Inet6Address igd = (Inet6Address) InetAddress.getByName("2001:db8:1:0:0:0:0:1");
        assertThatThrownBy(() -> UpnpSession.atIpv6(found, igd)).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("70000");
    }

    @Test
    void theControlUrlKeepsItsPortAndPathAndTakesTheIgdsIpv6Address() throws Exception {
        URL found = URI.create("http://192.168.1.1:5555/ctl/IP6FCtl").toURL();
        Inet6Address igd = (Inet6Address) InetAddress.getByName("2001:db8:1:0:0:0:0:1");
        assertThat(UpnpSession.atIpv6(found, igd)).isEqualTo(new InetSocketAddress(igd, 5555));
        assertThat(UpnpSession.controlPath(found)).isEqualTo("/ctl/IP6FCtl");
        URL noPort = URI.create("http://192.168.1.1/upnp/control?x=1").toURL();
        assertThat(UpnpSession.atIpv6(noPort, igd).getPort()).isEqualTo(80);
        assertThat(UpnpSession.controlPath(noPort)).isEqualTo("/upnp/control?x=1");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
