/** crust-udt: reliable, ordered, congestion-controlled transport over UDP. */
module io.crust.udt {
    requires org.slf4j;
    requires jdk.net;
    requires jdk.jfr;
    exports io.crust.udt;
}
