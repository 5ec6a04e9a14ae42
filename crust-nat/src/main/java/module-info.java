/** crust-nat: port mapping, STUN, NAT classification, hole punching. */
module io.crust.nat {
    requires org.slf4j;
    exports io.crust.nat;
}
