package io.crust.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A connection ended for a reason this node did not choose (not a close by the application, a
 * settled duplicate or the node's shutdown).
 */
@Name("io.crust.ConnectionLost")
@Label("Connection Lost")
@Category({"Crust", "Connections"})
@Description("A connection to a peer ended without this node asking for it")
@StackTrace(false)
public final class ConnectionLostEvent extends jdk.jfr.Event {
    @Label("Peer")
    public String peer;

    @Label("Reason")
    @Description("HEARTBEAT_TIMEOUT, GOODBYE, CONNECTION_LOST, MISBEHAVED, BANNED, REPLACEMENT_NEVER_CAME or EVICTED")
    public String reason;

    @Label("Detail")
    public String detail;

    @Label("Misbehaviour")
    @Description("The rule the peer broke, if it misbehaved")
    public String misbehaviour;

    @Label("Transport")
    public String transport;

    @Label("Connection")
    public long connection;
}
