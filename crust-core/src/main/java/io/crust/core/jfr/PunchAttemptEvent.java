package io.crust.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One attempt to open a direct path through NATs; the event's duration is the attempt's. */
@Name("io.crust.PunchAttempt")
@Label("Punch Attempt")
@Category({"Crust", "NAT Traversal"})
@Description("UDP hole punching or TCP simultaneous open towards a peer")
@StackTrace(false)
public final class PunchAttemptEvent extends jdk.jfr.Event {
    @Label("Peer")
    public String peer;

    @Label("Protocol")
    @Description("udp (hole punching) or tcp (simultaneous open)")
    public String protocol;

    @Label("Remote Address")
    @Description("The address the path was opened to, or the one tried (TCP)")
    public String remoteAddress;

    @Label("Connected")
    @Description("True if the attempt opened a path")
    public boolean connected;

    @Label("Detail")
    public String detail;
}
