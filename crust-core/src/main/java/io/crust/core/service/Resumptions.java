package io.crust.core.service;

import io.crust.core.CrustEvent;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.handshake.ResumeOffer;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.wire.WireMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumption (docs/connection-group.md): when a peer's only connection breaks (it fails or falls
 * silent; not a goodbye), the peer stays open for the resume window while the side that dialled it
 * dials again. The new connection carries an offer in its handshake: "I continue connection T, of
 * which I delivered n of your messages". The other side closes its end of T if it still holds it,
 * waits until T's last message has been delivered, and answers on the new connection (RESUME): yes and
 * its own count, or no. Each side then sends, before anything newer, the messages of T the other did
 * not deliver (the send queue keeps them until acknowledged), and the application keeps its
 * {@code Peer}: nothing lost, repeated or reordered. A refusal, a fresh connection without an offer, or
 * the end of the window ends the peer as before ({@code PeerLost}, then {@code PeerConnected} for a new one).
 *
 * <pre>
 *   dialling side (A)                              answering side (B)
 *   T breaks: peer kept, redial by id
 *   handshake ... IdentityProof + offer(T, nA) -->  closes T if live; once T has ended:
 *                                         <--  RESUME(yes, nB), then T's messages after nA
 *   T's messages after nB -->                       both: Peer now on the new connection
 * </pre>
 *
 * The decisions only, under the {@link PeerTable}'s lock like {@link Settling}, which this class hands
 * over to for everything else.
 */
final class Resumptions {
    private static final Logger LOG = LoggerFactory.getLogger(Resumptions.class);

    /** A connection to close once the table's lock is released. */
    record Closing(PeerConnection connection, CloseCause cause) {
    }

    /** A broken connection that we dialled and so dial again. */
    record Redial(PeerId peer, Transport transport, Route route, InetSocketAddress address) {
    }

    private final Map<PeerId, PeerEntry> entries;
    private final Settling settling;
    private final long windowNanos;

    /** @param windowNanos how long a broken connection may be continued; 0 turns resumption off */
    Resumptions(Map<PeerId, PeerEntry> entries, Settling settling, long windowNanos) {
        this.entries = entries;
        this.settling = settling;
        this.windowNanos = windowNanos;
    }

    /**
     * The offer a connection we dial to {@code peer} carries: non-null while its broken connection,
     * which we dialled, waits. Only the side that dialled the broken connection offers; a rendezvous
     * makes both sides dial, and two crossing offers could each be accepted.
     */
    ResumeOffer offerTo(PeerId peer) {
        PeerEntry entry = entries.get(peer);
        if (entry == null || !entry.awaitsResumption() || entry.resuming != null || !dialledByUs(entry.broken)) {
            return null;
        }
        return entry.broken.offerToResume();
    }

    /**
     * True while {@code connection}'s application messages must wait: its peer's broken connection
     * waits to be continued and this is another connection (a parked one, see {@link #added}). When
     * the wait ends it is closed and they are dropped ({@link #dropParked}).
     */
    boolean holdsDelivery(PeerConnection connection) {
        PeerEntry entry = entries.get(connection.remote());
        return entry != null && entry.awaitsResumption() && parked(entry, connection);
    }

    private static boolean parked(PeerEntry entry, PeerConnection connection) {
        return connection != entry.broken && connection != entry.resuming && !entry.candidates.contains(connection);
    }

    /** True if {@code connection} we dialled offers to continue a connection that is no longer waiting. */
    boolean staleOffer(PeerConnection connection) {
        ResumeOffer offer = connection.resumeOffer();
        if (offer == null || !dialledByUs(connection)) {
            return false;
        }
        PeerEntry entry = entries.get(connection.remote());
        return entry == null || !entry.awaitsResumption() || entry.resuming != null || !entry.broken.isNamedBy(offer);
    }

    /**
     * True if {@code connection}, dialled by the peer, offers to continue a connection that another
     * connection continues or is continuing here: several of the peer's dials carried the same offer
     * (a race of transports, a rendezvous's background attempts). Closed without a word to the
     * application; on the peer's side it was one of several candidates, and the one we answer wins.
     */
    boolean duplicateOffer(PeerConnection connection) {
        ResumeOffer offer = connection.resumeOffer();
        if (offer == null || dialledByUs(connection)) {
            return false;
        }
        PeerEntry entry = entries.get(connection.remote());
        return entry != null && entry.handle.isOpen()
                && ((entry.resuming != null && entry.broken != null && entry.broken.isNamedBy(offer))
                        || (entry.continuedHash != null && offer.names(entry.continuedHash)));
    }

    /** The broken connections we dialled, which we dial again while they wait. */
    List<Redial> awaitingRedial() {
        List<Redial> out = new ArrayList<>();
        for (PeerEntry entry : entries.values()) {
            if (entry.awaitsResumption() && entry.resuming == null && entry.candidates.isEmpty()
                    && dialledByUs(entry.broken)) {
                PeerConnection b = entry.broken;
                out.add(new Redial(b.remote(), b.transport(), b.route(), b.remoteAddress()));
            }
        }
        return out;
    }

    /**
     * A new connection joins: returns its peer's row if resumption took it (an offer, or any
     * connection while the peer waits: it is parked), else null for {@link Settling#added}. A stale offer of ours
     * was refused before ({@link #staleOffer}).
     */
    PeerEntry added(PeerConnection connection, long nowNanos, List<CrustEvent> toEmit, List<Closing> toClose) {
        PeerEntry entry = entries.get(connection.remote());
        ResumeOffer offer = connection.resumeOffer();
        boolean open = entry != null && entry.handle.isOpen();
        if (offer == null) {
            if (open && entry.broken != null) {
                // Parked: a connection without an offer (the other side of a rendezvous dials too; or
                // the peer restarted, or gave us up). Its messages wait (holdsDelivery), and when the
                // wait ends either way it is closed and they are dropped (dropParked): whether they
                // belong to the old session or a new one cannot be told here; its sender sees it closed.
                entry.connections.add(connection);
                return entry;
            }
            return null;
        }
        if (dialledByUs(connection)) {
            entry.candidates.add(connection); // staleOffer checked the rest; the peer's RESUME decides
            entry.connections.add(connection);
            return entry;
        }
        if (windowNanos > 0 && open && entry.resuming == null && entry.broken != null && entry.candidates.isEmpty()
                && !entry.connections.contains(entry.broken) && entry.broken.isNamedBy(offer)) {
            entry.connections.add(connection);
            return answer(entry, connection, offer, entry.broken, toEmit, toClose);
        }
        if (windowNanos > 0 && open && entry.resuming == null && entry.broken == null && entry.connections.size() == 1) {
            PeerConnection live = entry.connections.get(0);
            if (live == entry.handle.current() && !live.isRetiring() && live.isNamedBy(offer) && live.resumable()) {
                // The peer saw it break before we did: end our side; once its last message is
                // delivered here (removed), the count is final and we answer.
                entry.broken = live;
                entry.brokenSinceNanos = nowNanos;
                entry.resuming = connection;
                entry.connections.add(connection);
                toClose.add(new Closing(live, CloseCause.resumed("the peer continues it on a new connection")));
                return entry;
            }
        }
        connection.sendControl(new WireMessage.Resume(false, 0));
        if (!open) {
            return null; // a new peer, as without an offer
        }
        return restart(entry, connection, "the peer could not continue it here", toEmit, toClose);
    }

    /**
     * A connection ended; true if resumption took care of it (the caller then does nothing more), false
     * for {@link Settling#removed}.
     */
    boolean removed(PeerEntry entry, PeerConnection connection, CloseCause cause, boolean tableClosed, long nowNanos,
            List<CrustEvent> toEmit, List<Closing> toClose) {
        boolean alive = entry.handle.isOpen() && !tableClosed;
        if (connection == entry.broken) {
            // The answering side: our end of the broken connection has ended, its count is final.
            if (!alive) {
                clear(entry);
                return false;
            }
            if (entry.brokenCause == null) {
                entry.brokenCause = cause;
            }
            if (entry.resuming != null) {
                answer(entry, entry.resuming, entry.resuming.resumeOffer(), connection, toEmit, toClose);
            }
            return true;
        }
        if (alive && entry.broken != null && parked(entry, connection)) {
            return true; // a parked connection ended: the broken one still waits
        }
        if (entry.candidates.remove(connection)) {
            // The peer said nothing on it (it refuses a second offer for one connection by closing it):
            // the broken connection waits for the others, or for the next dial.
            if (!alive) {
                clear(entry);
                return false;
            }
            return entry.broken != null;
        }
        if (connection == entry.resuming) {
            if (!alive || !cause.breaksWithoutIntent()) {
                // Ended on purpose (a goodbye, a misbehaviour, the peer dropped us): nothing to wait for.
                dropParked(entry, toClose);
                clear(entry);
                return false;
            }
            // It broke before the resumption completed: the broken connection waits for another one.
            entry.resuming = null;
            return entry.broken != null;
        }
        if (alive && windowNanos > 0 && entry.connections.isEmpty() && cause.breaksWithoutIntent()
                && entry.handle.current() == connection && connection.resumable()) {
            entry.broken = connection;
            entry.brokenCause = cause;
            entry.brokenSinceNanos = nowNanos;
            LOG.debug("connection {} to {} broke ({}): waiting up to {} ms for it to be continued", connection.serial(),
                    connection.remote().shortForm(), cause.reason(), Duration.ofNanos(windowNanos).toMillis());
            return true;
        }
        return false;
    }

    /** The peer answered our offer on {@code connection}. */
    void answered(PeerConnection connection, WireMessage.Resume answer, List<CrustEvent> toEmit, List<Closing> toClose) {
        PeerEntry entry = entries.get(connection.remote());
        if (entry == null || !entry.candidates.contains(connection) || !entry.awaitsResumption()) {
            // Nothing waits for it here any more (the window ended, the application closed the peer):
            // the peer must not take this connection for a continuation.
            toClose.add(new Closing(connection, CloseCause.quiet("nothing to continue any more")));
            return;
        }
        if (!answer.accepted()) {
            restart(entry, connection, "the peer could not continue it", toEmit, toClose);
            return;
        }
        Optional<List<byte[]>> resend = entry.broken.resendFrom(answer.delivered());
        if (resend.isEmpty()) {
            toClose.add(new Closing(connection, CloseCause.misbehaved(CrustEvent.Misbehaviour.Kind.PROTOCOL_VIOLATION,
                    "resumed with a count of " + answer.delivered() + " that does not fit what was sent")));
            return;
        }
        if (!connection.sendAgain(resend.get())) {
            restart(entry, connection, "the connection continuing it closed at once", toEmit, toClose);
            return;
        }
        continued(entry, connection, resend.get().size(), toEmit, toClose);
    }

    /** Ends peers whose broken connection was not continued within the window. */
    void expire(long nowNanos, List<CrustEvent> toEmit, List<Closing> toClose) {
        for (PeerEntry entry : List.copyOf(entries.values())) {
            if (entry.broken == null || nowNanos - entry.brokenSinceNanos <= windowNanos) {
                continue;
            }
            CloseCause cause = entry.brokenCause;
            String why = "its connection broke and was not continued within " + Duration.ofNanos(windowNanos).toMillis()
                    + " ms" + (cause == null ? "" : ": " + cause.reason());
            boolean wasOpen = entry.handle.isOpen();
            entry.handle.markClosed(why);
            if (wasOpen) {
                toEmit.add(new CrustEvent.PeerLost(entry.handle.id(), lostReason(entry), why));
            }
            dropParked(entry, toClose);
            for (PeerConnection c : entry.connections) {
                if (!parked(entry, c)) {
                    toClose.add(new Closing(c, CloseCause.quiet("not continued in time")));
                }
            }
            clear(entry);
            if (entry.connections.isEmpty()) {
                entries.remove(entry.handle.id());
            }
        }
    }

    /** Answers an offer once the broken connection has ended here: yes with our count, or no. */
    private PeerEntry answer(PeerEntry entry, PeerConnection connection, ResumeOffer offer, PeerConnection broken,
            List<CrustEvent> toEmit, List<Closing> toClose) {
        Optional<List<byte[]>> resend = broken.resendFrom(offer.delivered());
        if (resend.isEmpty() || !connection.resume(new WireMessage.Resume(true, broken.appDelivered()), resend.get())) {
            connection.sendControl(new WireMessage.Resume(false, 0));
            return restart(entry, connection, "it could not be continued", toEmit, toClose);
        }
        return continued(entry, connection, resend.get().size(), toEmit, toClose);
    }

    private PeerEntry continued(PeerEntry entry, PeerConnection connection, int resent, List<CrustEvent> toEmit,
            List<Closing> toClose) {
        LOG.debug("connection {} to {} continues broken connection {} ({} messages sent again)", connection.serial(),
                connection.remote().shortForm(), entry.broken.serial(), resent);
        connection.continues(entry.broken, resent);
        entry.continuedHash = entry.broken.channelBinding();
        for (PeerConnection other : entry.candidates) {
            if (other != connection) {
                toClose.add(new Closing(other, CloseCause.quiet("another connection continues it")));
            }
        }
        dropParked(entry, toClose, connection);
        clear(entry);
        entry.handle.switchTo(connection);
        entry.carriers.add(connection);
        settling.settle(entry, toEmit); // a connection that joined meanwhile may rank higher
        return entry;
    }

    /**
     * The broken connection will not be continued: the application hears that the peer was lost and
     * gets {@code connection} as a new peer; what was left of the old one closes.
     */
    private PeerEntry restart(PeerEntry entry, PeerConnection connection, String what, List<CrustEvent> toEmit,
            List<Closing> toClose) {
        String why = "its connection broke and " + what
                + (entry.brokenCause == null ? "" : " (" + entry.brokenCause.reason() + ")");
        toEmit.add(new CrustEvent.PeerLost(connection.remote(), lostReason(entry), why));
        entry.handle.markClosed(why);
        if (entry.broken != null) {
            dropParked(entry, toClose, connection);
        }
        for (PeerConnection old : entry.connections) {
            if (old != connection && !old.deliveriesDiscarded()) {
                toClose.add(new Closing(old, CloseCause.quiet("replaced: " + what)));
            }
        }
        clear(entry);
        PeerEntry fresh = settling.newHandle(entry, connection, toEmit);
        settling.settle(fresh, toEmit);
        return fresh;
    }

    private static CrustEvent.PeerLost.Reason lostReason(PeerEntry entry) {
        return entry.brokenCause != null && entry.brokenCause.lost() != null ? entry.brokenCause.lost()
                : CrustEvent.PeerLost.Reason.CONNECTION_LOST;
    }

    /** Closes the parked connections, their held messages dropped (see {@link #added}). Before {@link #clear}. */
    private static void dropParked(PeerEntry entry, List<Closing> toClose) {
        dropParked(entry, toClose, null);
    }

    /** {@link #dropParked(PeerEntry, List)} but {@code except}, the connection that goes on. */
    private static void dropParked(PeerEntry entry, List<Closing> toClose, PeerConnection except) {
        for (PeerConnection c : entry.connections) {
            if (c != except && parked(entry, c)) {
                c.discardDeliveries();
                toClose.add(new Closing(c, CloseCause.quiet("it arrived while the broken connection waited to be continued")));
            }
        }
    }

    private static void clear(PeerEntry entry) {
        entry.broken = null;
        entry.brokenCause = null;
        entry.resuming = null;
        entry.candidates.clear();
    }

    private static boolean dialledByUs(PeerConnection connection) {
        return !connection.initiator().equals(connection.remote());
    }
}
