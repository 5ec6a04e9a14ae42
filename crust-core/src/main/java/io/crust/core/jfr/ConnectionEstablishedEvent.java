package io.crust.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** An authenticated connection to a peer was registered and started. */
@Name("io.crust.ConnectionEstablished")
@Label("Connection Established")
@Category({"Crust", "Connections"})
@Description("An authenticated, encrypted connection to a peer is up")
@StackTrace(false)
public final class ConnectionEstablishedEvent extends jdk.jfr.Event {
    @Label("Peer")
    public String peer;

    @Label("Route")
    @Description("How the connection was made: DIRECT, PUNCHED, MAPPED, RELAYED, LAN, BOOTSTRAP_IN, BOOTSTRAP_OUT")
    public String route;

    @Label("Transport")
    @Description("TCP or UDT (crust-udt); for a relayed connection, the hop to the relay")
    public String transport;

    @Label("Remote Address")
    public String remoteAddress;

    @Label("Connection")
    @Description("The connection's serial number in this process, as in its thread names")
    public long connection;
}
