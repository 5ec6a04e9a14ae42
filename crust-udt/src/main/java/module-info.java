/** crust-udt: reliable, ordered, congestion-controlled transport over UDP. */
module io.crust.udt {
    requires org.slf4j;
    requires jdk.net;
    exports io.crust.udt;
}
