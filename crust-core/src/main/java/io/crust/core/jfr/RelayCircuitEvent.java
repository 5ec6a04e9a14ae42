package io.crust.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A circuit this node relayed between two other peers, committed when it closes; the duration is its life. */
@Name("io.crust.RelayCircuit")
@Label("Relay Circuit")
@Category({"Crust", "Relay"})
@Description("Ciphertext forwarded between two peers through this node")
@StackTrace(false)
public final class RelayCircuitEvent extends jdk.jfr.Event {
    @Label("From Peer")
    @Description("The peer that opened the circuit")
    public String fromPeer;

    @Label("To Peer")
    public String toPeer;

    @Label("Bytes Forwarded")
    @DataAmount
    public long bytes;

    @Label("Close Reason")
    public String closeReason;
}
