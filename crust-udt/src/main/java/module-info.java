/** crust-udt: reliable, ordered, congestion-controlled transport over UDP. */
module io.crust.udt {
    requires org.slf4j;
    exports io.crust.udt;
}
