/** crust-nat: port mapping, STUN, NAT classification, hole punching. */
module io.crust.nat {
    requires org.slf4j;
    // UPnP IGD control: SOAP over HTTP and XML device descriptions.
    requires java.net.http;
    requires java.xml;
    exports io.crust.nat;
}
