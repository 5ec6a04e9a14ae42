package io.crust.core.peer;

import io.crust.core.CrustException;
import io.crust.core.Peer;
import io.crust.core.PeerId;
import io.crust.core.Priority;
import io.crust.core.Route;
import io.crust.core.Transport;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The application's {@link Peer}: one per connected peer id, pointing at the current best connection.
 * The node's peer table moves it to a better connection ({@link #switchTo}) and ends it when the last
 * connection is gone.
 */
public final class PeerHandle implements Peer {
    private final PeerId id;
    private final int maxMessageBytes;
    private final Consumer<PeerHandle> closer;
    private volatile PeerConnection current;
    private volatile boolean open = true;

    /**
     * @param closer asked by {@link #close()} to close every connection of this peer
     */
    public PeerHandle(PeerConnection first, int maxMessageBytes, Consumer<PeerHandle> closer) {
        this.id = first.remote();
        this.current = first;
        this.maxMessageBytes = maxMessageBytes;
        this.closer = closer;
    }

    public PeerConnection current() {
        return current;
    }

    /** Moves the handle to another connection to the same peer. */
    public void switchTo(PeerConnection connection) {
        current = connection;
    }

    /** Marks the handle closed (the peer is gone or was dropped). */
    public void markClosed() {
        open = false;
    }

    @Override
    public PeerId id() {
        return id;
    }

    @Override
    public Transport transport() {
        return current.transport();
    }

    @Override
    public Route route() {
        return current.route();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return current.remoteAddress();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void send(byte[] message, Priority priority) throws CrustException {
        if (message.length > maxMessageBytes) {
            throw new CrustException("message of " + message.length + " bytes exceeds maxMessageBytes " + maxMessageBytes);
        }
        // A connection being retired refuses new messages; the table has then switched us to the winner.
        for (int attempt = 0; attempt < 3; attempt++) {
            if (!open) {
                throw new CrustException("peer " + id.shortForm() + " is not connected");
            }
            PeerConnection connection = current;
            try {
                connection.sendApp(message, priority);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CrustException("interrupted while sending to " + id.shortForm());
            } catch (CrustException e) {
                if (current == connection) {
                    waitBrieflyForSwitch(connection);
                }
            }
        }
        throw new CrustException("connection to " + id.shortForm() + " is closed");
    }

    private void waitBrieflyForSwitch(PeerConnection old) throws CrustException {
        long deadline = System.nanoTime() + 200_000_000L;
        while (current == old && open && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CrustException("interrupted while sending to " + id.shortForm());
            }
        }
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            closer.accept(this);
        }
    }

    @Override
    public String toString() {
        return "Peer[" + id.shortForm() + " " + transport() + " " + route() + "]";
    }
}
