package io.crust.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One Noise XX handshake, from its first message to its outcome; the event's duration is the handshake's. */
@Name("io.crust.Handshake")
@Label("Handshake")
@Category({"Crust", "Connections"})
@Description("A Noise XX handshake over TCP, crust-udt or a relay circuit")
@StackTrace(false)
public final class HandshakeEvent extends jdk.jfr.Event {
    @Label("Initiator")
    @Description("True on the side that sent the first message")
    public boolean initiator;

    @Label("Remote Address")
    public String remoteAddress;

    @Label("Peer")
    @Description("The identity the remote side proved; empty when the handshake failed")
    public String peer;

    @Label("Outcome")
    @Description("OK, or the HandshakeException reason (WRONG_PEER, TIMEOUT, ...), or IO_ERROR")
    public String outcome;
}
