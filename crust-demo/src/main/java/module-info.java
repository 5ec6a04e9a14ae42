/** crust-demo: the demo peer and the perf, nat and peer tools. */
module io.crust.demo {
    requires io.crust.core;
    requires info.picocli;
    opens io.crust.demo to info.picocli;
    opens io.crust.demo.perf to info.picocli;
    opens io.crust.demo.nat to info.picocli;
    opens io.crust.demo.peer to info.picocli;
}
