package io.crust.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A peer's traffic moved to a better connection (for example from a relay to a punched path). */
@Name("io.crust.ConnectionUpgraded")
@Label("Connection Upgraded")
@Category({"Crust", "Connections"})
@StackTrace(false)
public final class ConnectionUpgradedEvent extends jdk.jfr.Event {
    @Label("Peer")
    public String peer;

    @Label("From Route")
    public String fromRoute;

    @Label("From Transport")
    public String fromTransport;

    @Label("To Route")
    public String toRoute;

    @Label("To Transport")
    public String toTransport;
}
