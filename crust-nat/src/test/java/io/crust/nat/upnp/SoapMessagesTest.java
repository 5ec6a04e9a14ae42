package io.crust.nat.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.NatException;
import io.crust.nat.gateway.MalformedPacketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoapMessagesTest {
    private static final String WAN_IP_1 = IgdDescription.WAN_IP_1;

    private static Map<String, String> response(String action, String xml) throws NatException {
        return SoapMessages.response(action, xml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void requestIsASoapEnvelopeWithTheArgumentsInOrder() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("NewRemoteHost", "");
        args.put("NewExternalPort", "4000");
        args.put("NewPortMappingDescription", "a<b&c");
        String xml = new String(SoapMessages.request(WAN_IP_1, "AddPortMapping", args), StandardCharsets.UTF_8);
        assertThat(xml).isEqualTo("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
                + "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>"
                + "<u:AddPortMapping xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\">"
                + "<NewRemoteHost></NewRemoteHost><NewExternalPort>4000</NewExternalPort>"
                + "<NewPortMappingDescription>a&lt;b&amp;c</NewPortMappingDescription>"
                + "</u:AddPortMapping></s:Body></s:Envelope>\r\n");
        assertThat(SoapMessages.soapAction(WAN_IP_1, "AddPortMapping"))
                .isEqualTo("\"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping\"");
    }

    @Test
    void outArgumentsAreReadByName() throws Exception {
        Map<String, String> out = response("GetExternalIPAddress", FakeIgd.envelope(
                "<u:GetExternalIPAddressResponse xmlns:u=\"" + WAN_IP_1 + "\">"
                        + "<NewExternalIPAddress> 203.0.113.11 </NewExternalIPAddress></u:GetExternalIPAddressResponse>"));
        assertThat(out).containsExactly(Map.entry("NewExternalIPAddress", "203.0.113.11"));
    }

    @Test
    void upnpErrorFaultBecomesAnActionExceptionWithItsCode() {
        String fault = FakeIgd.envelope("<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
                + "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>718</errorCode>"
                + "<errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault>");
        assertThatThrownBy(() -> response("AddPortMapping", fault)).isInstanceOfSatisfying(UpnpActionException.class,
                e -> assertThat(e.errorCode()).isEqualTo(718)).hasMessageContaining("718 ConflictInMappingEntry");
    }

    @Test
    void answersThatAreNotTheExpectedSoapAreMalformed() {
        assertThatThrownBy(() -> response("AddPortMapping", "<html>busy</html>"))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("not a SOAP");
        assertThatThrownBy(() -> response("AddPortMapping", FakeIgd.envelope("<u:DeletePortMappingResponse xmlns:u=\"" + WAN_IP_1 + "\"/>")))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("does not answer");
        assertThatThrownBy(() -> response("AddPortMapping", FakeIgd.envelope("<s:Fault><faultstring>x</faultstring></s:Fault>")))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("without UPnPError");
        assertThatThrownBy(() -> response("AddPortMapping", FakeIgd.envelope("<s:Fault><detail><UPnPError><errorCode>x"
                + "</errorCode></UPnPError></detail></s:Fault>")))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("not a number");
        assertThatThrownBy(() -> SoapMessages.response("X", new byte[SoapMessages.MAX_RESPONSE_BYTES + 1]))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("too large");
        assertThatThrownBy(() -> response("X", "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY b \"c\">]><a>&b;</a>"))
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void mutatedAnswersNeverEscapeAsAnythingButNatException() {
        long seed = Long.getLong("crust.test.seed", 718L);
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] seeds = {
            FakeIgd.envelope("<u:GetSpecificPortMappingEntryResponse xmlns:u=\"" + WAN_IP_1 + "\"><NewInternalPort>4000"
                    + "</NewInternalPort><NewInternalClient>192.168.1.2</NewInternalClient></u:GetSpecificPortMappingEntryResponse>")
                    .getBytes(StandardCharsets.UTF_8),
            FakeIgd.envelope("<s:Fault><detail><UPnPError><errorCode>725</errorCode></UPnPError></detail></s:Fault>")
                    .getBytes(StandardCharsets.UTF_8)};
        for (int i = 0; i < 3_000; i++) {
            byte[] p = seeds[random.nextInt(seeds.length)].clone();
            switch (random.nextInt(3)) {
                case 0 -> p[random.nextInt(p.length)] = (byte) random.nextInt(256);
                case 1 -> p = Arrays.copyOf(p, random.nextInt(p.length + 1));
                default -> p[random.nextInt(p.length)] = (byte) "<>/&;:\"= ".charAt(random.nextInt(9));
            }
            try {
                SoapMessages.response("GetSpecificPortMappingEntry", p);
            } catch (NatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " iteration " + i + ": " + new String(p, StandardCharsets.UTF_8), e);
            }
        }
    }
}
