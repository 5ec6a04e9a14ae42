package io.crust.nat.punch;

import io.crust.nat.PunchOffer;
import io.crust.nat.stun.StunAddress;
import io.crust.nat.stun.StunAttribute;
import io.crust.nat.stun.StunFormatException;
import io.crust.nat.stun.StunMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The connectivity checks of RFC 8445 section 7.2 between two offers, built and verified.
 *
 * <p>A check from us carries USERNAME "theirUfrag:myUfrag", PRIORITY, ICE-CONTROLLING or
 * ICE-CONTROLLED with our tie-breaker, USE-CANDIDATE when it nominates, then MESSAGE-INTEGRITY
 * keyed by <em>their</em> password and FINGERPRINT. Its answer carries XOR-MAPPED-ADDRESS and
 * MESSAGE-INTEGRITY keyed by the answerer's own password. Without the passwords, which only the
 * rendezvous carried, nobody can forge either.
 */
final class CheckMessages {
    private final PunchOffer mine;
    private final PunchOffer theirs;
    private final boolean controlling;
    private final byte[] myKey;
    private final byte[] theirKey;
    private final byte[] expectedUsername;
    private final byte[] outgoingUsername;

    CheckMessages(PunchOffer mine, PunchOffer theirs, boolean controlling) {
        this.mine = mine;
        this.theirs = theirs;
        this.controlling = controlling;
        this.myKey = mine.password().getBytes(StandardCharsets.UTF_8);
        this.theirKey = theirs.password().getBytes(StandardCharsets.UTF_8);
        this.expectedUsername = (mine.ufrag() + ":" + theirs.ufrag()).getBytes(StandardCharsets.UTF_8);
        this.outgoingUsername = (theirs.ufrag() + ":" + mine.ufrag()).getBytes(StandardCharsets.UTF_8);
    }

    /** What a datagram turned out to be. */
    sealed interface Incoming permits Request, Response, Ignored {
    }

    /** An authentic check from the peer. */
    record Request(byte[] transaction, boolean useCandidate) implements Incoming {
    }

    /** An authentic answer to one of our checks. */
    record Response(byte[] transaction) implements Incoming {
    }

    /** Not for this session, forged, or malformed. */
    record Ignored(String why) implements Incoming {
    }

    ByteBuffer check(byte[] transaction, long priority, boolean useCandidate) {
        StunMessage.Builder b = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction)
                .add(StunAttribute.USERNAME, outgoingUsername)
                .add(StunAttribute.PRIORITY, ByteBuffer.allocate(4).putInt((int) priority).array())
                .add(controlling ? StunAttribute.ICE_CONTROLLING : StunAttribute.ICE_CONTROLLED,
                        ByteBuffer.allocate(8).putLong(mine.tieBreaker()).array());
        if (useCandidate) {
            b.add(StunAttribute.USE_CANDIDATE, new byte[0]);
        }
        return b.encode(theirKey, true);
    }

    ByteBuffer answer(byte[] transaction, InetSocketAddress from) {
        return StunMessage.builder(StunMessage.BINDING_SUCCESS, transaction)
                .add(StunAttribute.XOR_MAPPED_ADDRESS, StunAddress.encodeXor(from, transaction))
                .encode(myKey, true);
    }

    Incoming classify(ByteBuffer datagram) {
        if (!StunMessage.looksLikeStun(datagram)) {
            return new Ignored("not STUN");
        }
        StunMessage m;
        try {
            m = StunMessage.decode(datagram);
        } catch (StunFormatException e) {
            return new Ignored(e.getMessage());
        }
        if (!m.hasFingerprint() || !m.fingerprintValid()) {
            return new Ignored("no valid FINGERPRINT");
        }
        if (m.type() == StunMessage.BINDING_REQUEST) {
            if (!Arrays.equals(expectedUsername, m.attribute(StunAttribute.USERNAME))) {
                return new Ignored("USERNAME of another session");
            }
            if (!m.integrityValid(myKey)) {
                return new Ignored("bad MESSAGE-INTEGRITY on a check");
            }
            return new Request(m.cookieAndId(), m.has(StunAttribute.USE_CANDIDATE));
        }
        if (m.type() == StunMessage.BINDING_SUCCESS) {
            if (!m.integrityValid(theirKey)) {
                return new Ignored("bad MESSAGE-INTEGRITY on an answer");
            }
            return new Response(m.cookieAndId());
        }
        return new Ignored("STUN type 0x" + Integer.toHexString(m.type()));
    }

    PunchOffer theirs() {
        return theirs;
    }
}
