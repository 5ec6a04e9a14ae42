/** crust-nat: port mapping, STUN, NAT classification, hole punching. */
module io.crust.nat {
    requires org.slf4j;
    // UPnP IGD control through jupnp (automatic modules), its HTTP client SPI on java.net.http.
    requires org.jupnp;
    requires org.jupnp.support;
    requires java.net.http;
    requires java.xml;
    exports io.crust.nat;
    // Rate-limited logging of remote events, shared with crust-core only: not part of the API.
    exports io.crust.nat.log to io.crust.core;
}
