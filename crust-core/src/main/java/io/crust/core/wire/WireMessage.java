package io.crust.core.wire;

import io.crust.core.ConnectionInfo;
import io.crust.core.PeerId;
import io.crust.core.Transport;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The control protocol between two connected nodes. Every message sent on a {@code SecureChannel} is
 * exactly one wire message: a type byte followed by a body whose layout depends on the type. Integers
 * are big-endian; addresses and connection infos are laid out as in {@link ConnectionInfoCodec}.
 * Diagrams follow the style of RFC 791 section 3.1. {@link WireCodec} encodes and decodes them.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     type      |  body ...                                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 0x01 HELLO (first message each way after the handshake)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     0x01      |  flags (bit 0: I relay for others)            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | observed transport (1 = TCP, 2 = UDT, 0 = none), then, unless |
 * | none, your address as I see it (address layout)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  my connection info (id must equal the authenticated id) ...  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 0x02 APP           payload (1 .. maxMessageBytes, may be empty)
 * 0x03 HEARTBEAT     (no body)
 * 0x04 GOODBYE       reason length (1 byte), reason (UTF-8)
 * 0x05 RETIRE        (no body) "I send nothing more on this connection" (duplicate settling)
 * 0x06 GOSSIP        a gossip message: hops left and signed peer records (see GossipMessage)
 *
 * 0x07 FORWARD "pass this to peer X" (to a rendezvous), 0x0C FORWARDED "this came from peer X"
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | 0x07 or 0x0C  |  peer id (32 bytes) ...                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  inner message: a whole CONNECT_INFO message (type included)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 0x08 CONNECT_INFO: rendezvous request (reply = 0) or answer (reply = 1)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     0x08      |    reply      |  request id (8 bytes) ...     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  the sender's connection info ...                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  punch offer length (2 bytes) |  punch offer (UTF-8 line of   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  crust-nat's PunchOffer, <= 4096 bytes; 0 = none)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  TCP punch port (2 bytes; 0 = |
 * |  no TCP simultaneous open)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 0x09 RELAY_OPEN    circuit id (4 bytes), peer id (32 bytes): to the relay, the peer to reach
 * 0x0D RELAY_INCOMING circuit id (4 bytes), peer id (32 bytes): from the relay, the peer that asks
 * 0x0A RELAY_DATA    circuit id (4 bytes), one frame of the end-to-end secure channel
 * 0x0B RELAY_CLOSE   circuit id (4 bytes), reason length (1 byte), reason (UTF-8)
 *
 * 0x0E ACK           delivered (8 bytes): how many APP messages of this connection the sender has
 *                    handed to its application so far (resumption, docs/connection-group.md)
 * 0x0F RESUME        accepted (1 byte, 0 or 1), delivered (8 bytes): the answer to a resumption offer
 *                    made in the handshake; if accepted, how many APP messages of the failed connection
 *                    the sender handed to its application
 * </pre>
 *
 * Unknown types, trailing bytes, bad lengths or invalid fields are protocol violations.
 */
public sealed interface WireMessage {
    /** First message of each side: who it is, how it can be reached, how it sees us. */
    record Hello(boolean relays, Transport observedTransport, InetSocketAddress observedAddress, ConnectionInfo info)
            implements WireMessage {
        public Hello {
            Objects.requireNonNull(info, "info");
            if ((observedTransport == null) != (observedAddress == null)) {
                throw new IllegalArgumentException("observed transport and address go together");
            }
        }
    }

    /** An application message. */
    record App(byte[] payload) implements WireMessage {
    }

    /** Proof of life. */
    record Heartbeat() implements WireMessage {
    }

    /** The sender closes the connection, saying why. */
    record Goodbye(String reason) implements WireMessage {
    }

    /** The sender will send nothing more on this connection; see docs/connection-group.md. */
    record Retire() implements WireMessage {
    }

    /** A gossip message in the {@code io.crust.core.discovery.GossipMessage} format, decoded by its owner. */
    record Gossip(byte[] body) implements WireMessage {
    }

    /**
     * A CONNECT_INFO passed on by a rendezvous node: to {@code peer} (FORWARD, {@code delivered} false)
     * or from {@code peer} (FORWARDED, {@code delivered} true).
     */
    record Forward(boolean delivered, PeerId peer, ConnectInfo inner) implements WireMessage {
    }

    /**
     * Rendezvous request or reply: the sender's candidates; if it can punch UDP, its hole-punching offer
     * (candidates plus the credentials that authenticate the checks; empty when none); if it can punch
     * TCP, the local port of its simultaneous-open attempt (0 when none).
     */
    record ConnectInfo(boolean reply, long requestId, ConnectionInfo info, String punchOffer, int tcpPunchPort)
            implements WireMessage {
        /** Longest punch offer in UTF-8 bytes. */
        public static final int MAX_OFFER_BYTES = 4096;

        public ConnectInfo {
            Objects.requireNonNull(punchOffer, "punchOffer");
            if (tcpPunchPort < 0 || tcpPunchPort > 0xFFFF) {
                throw new IllegalArgumentException("TCP punch port out of range: " + tcpPunchPort);
            }
        }
    }

    /**
     * Opens a relay circuit: to the relay, towards {@code peer} (RELAY_OPEN, {@code incoming} false);
     * from the relay, asked by {@code peer} (RELAY_INCOMING, {@code incoming} true).
     */
    record RelayOpen(boolean incoming, int circuit, PeerId peer) implements WireMessage {
    }

    /** One end-to-end encrypted frame on a relay circuit. */
    record RelayData(int circuit, byte[] frame) implements WireMessage {
    }

    /** Closes a relay circuit. */
    record RelayClose(int circuit, String reason) implements WireMessage {
    }

    /** The sender has handed {@code delivered} APP messages of this connection to its application. */
    record Ack(long delivered) implements WireMessage {
        public Ack {
            if (delivered < 0) {
                throw new IllegalArgumentException("delivered must not be negative: " + delivered);
            }
        }
    }

    /**
     * The responder's answer to a resumption offer: whether the new connection continues the failed
     * one and, if so, how many APP messages of the failed connection it handed to its application.
     */
    record Resume(boolean accepted, long delivered) implements WireMessage {
        public Resume {
            if (delivered < 0 || (!accepted && delivered != 0)) {
                throw new IllegalArgumentException("delivered must be 0 when refused and never negative: " + delivered);
            }
        }
    }
}
