package io.crust.nat.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.gateway.MalformedPacketException;
import io.crust.nat.upnp.IgdDescription.WanService;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IgdDescriptionTest {
    private static final URI LOCATION = URI.create("http://192.168.1.1:5555/rootDesc.xml");

    /** An IGD description in miniupnpd's shape: root, WANDevice, WANConnectionDevice, WANIPConnection. */
    static String description(int version, String controlUrl) {
        return """
                <?xml version="1.0"?>
                <root xmlns="urn:schemas-upnp-org:device-1-0">
                  <specVersion><major>1</major><minor>0</minor></specVersion>
                  <device>
                    <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:%1$d</deviceType>
                    <serviceList><service>
                      <serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
                      <controlURL>/ctl/L3F</controlURL>
                    </service></serviceList>
                    <deviceList><device>
                      <deviceType>urn:schemas-upnp-org:device:WANDevice:%1$d</deviceType>
                      <deviceList><device>
                        <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:%1$d</deviceType>
                        <serviceList><service>
                          <serviceType>urn:schemas-upnp-org:service:WANIPConnection:%1$d</serviceType>
                          <serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
                          <controlURL>%2$s</controlURL>
                        </service></serviceList>
                      </device></deviceList>
                    </device></deviceList>
                  </device>
                </root>
                """.formatted(version, controlUrl);
    }

    private static WanService parse(String xml) throws MalformedPacketException {
        return IgdDescription.parse(xml.getBytes(StandardCharsets.UTF_8), LOCATION);
    }

    @Test
    void igd2WanIpConnectionIsFoundAndItsControlUrlResolved() throws Exception {
        WanService s = parse(description(2, "/ctl/IPConn"));
        assertThat(s.serviceType()).isEqualTo(IgdDescription.WAN_IP_2);
        assertThat(s.isVersion2()).isTrue();
        assertThat(s.controlUrl()).isEqualTo(URI.create("http://192.168.1.1:5555/ctl/IPConn"));
    }

    @Test
    void igd1WanIpConnectionIsFound() throws Exception {
        WanService s = parse(description(1, "ctl/IPConn"));
        assertThat(s.serviceType()).isEqualTo(IgdDescription.WAN_IP_1);
        assertThat(s.isVersion2()).isFalse();
        assertThat(s.controlUrl()).isEqualTo(URI.create("http://192.168.1.1:5555/ctl/IPConn"));
    }

    @Test
    void wanPppConnectionIsUsedWhenThereIsNoWanIpConnection() throws Exception {
        WanService s = parse(description(1, "/ctl/PPP").replace("WANIPConnection", "WANPPPConnection"));
        assertThat(s.serviceType()).isEqualTo(IgdDescription.WAN_PPP_1);
    }

    @Test
    void controlUrlOnAnotherHostIsRefused() {
        assertThatThrownBy(() -> parse(description(1, "http://198.51.100.7/ctl")))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("not on the device");
        assertThatThrownBy(() -> parse(description(1, "http://192.168.1.1:80/ctl")))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("not on the device");
    }

    @Test
    void documentTypeDeclarationsAreRefusedSoEntitiesCannotBeExpanded() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE root [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<root><device><serviceList><service><serviceType>" + IgdDescription.WAN_IP_1
                + "</serviceType><controlURL>&x;</controlURL></service></serviceList></device></root>";
        assertThatThrownBy(() -> parse(xxe)).isInstanceOf(MalformedPacketException.class).hasMessageContaining("XML");
    }

    @Test
    void descriptionWithoutAWanServiceIsAClearError() {
        assertThatThrownBy(() -> parse(description(1, "/x").replace("WANIPConnection", "Other")))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("no WANIPConnection");
        assertThatThrownBy(() -> parse("<html/>")).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> parse("<root")).isInstanceOf(MalformedPacketException.class);
    }
}
