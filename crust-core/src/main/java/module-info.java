/** crust-core: encrypted, authenticated peer connections and the connection group. */
module io.crust.core {
    requires transitive io.crust.udt;
    requires transitive io.crust.nat;
    requires org.bouncycastle.provider;
    requires org.slf4j;
    requires jdk.jfr;
    exports io.crust.core;
}
