package io.crust.core.service;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.connect.HolePunch;
import io.crust.core.connect.Rendezvous;
import io.crust.core.connect.TcpPunch;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.relay.Relay;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the rendezvous needs from the node: connections and HELLOs, our connection info, dials, relay
 * circuits, the punching sides and node-owned tasks.
 *
 * <p>Threads: the rendezvous's callers and tasks; it holds no state of its own.
 */
final class RendezvousHost implements Rendezvous.Host {
    private final PeerId self;
    private final Addresses addresses;
    private final OpenConnections connections;
    private final PeerTable table;
    private final Blacklist blacklist;
    private final boolean directPathsDisabled;
    private final Dialer dialer;
    private final Hellos hellos;
    private final Relay relay;
    private final Optional<TcpPunch.Tcp> tcp;
    private final HolePunchHost udp;
    private final ThreadOwner threads;

    /**
     * @param directPathsDisabled the test-only mode where only relays connect
     * @param tcp the TCP punching side, empty when TCP is off
     */
    RendezvousHost(PeerId self, Addresses addresses, OpenConnections connections, PeerTable table, Blacklist blacklist,
            boolean directPathsDisabled, Dialer dialer, Hellos hellos, Relay relay, Optional<TcpPunch.Tcp> tcp,
            HolePunchHost udp, ThreadOwner threads) {
        this.self = self;
        this.addresses = addresses;
        this.connections = connections;
        this.table = table;
        this.blacklist = blacklist;
        this.directPathsDisabled = directPathsDisabled;
        this.dialer = dialer;
        this.hellos = hellos;
        this.relay = relay;
        this.tcp = tcp;
        this.udp = udp;
        this.threads = threads;
    }

    @Override
    public PeerId self() {
        return self;
    }

    @Override
    public List<PeerConnection> connections() {
        return connections.all();
    }

    @Override
    public Optional<PeerConnection> connectionTo(PeerId id) {
        return connections.to(id);
    }

    @Override
    public ConnectionInfo localInfo() {
        return addresses.info(self);
    }

    @Override
    public boolean bans(PeerId id) {
        return blacklist.bans(id);
    }

    @Override
    public boolean directPathsDisabled() {
        return directPathsDisabled;
    }

    @Override
    public PeerHandle dialDirect(ConnectionInfo info, Route route, Duration timeout) throws CrustException {
        return dialer.dialDirect(info, route, timeout);
    }

    @Override
    public boolean startTask(String name, Runnable task) {
        return threads.startNumbered(name, task);
    }

    @Override
    public Optional<PeerHandle> awaitPeer(PeerId id, Duration timeout) throws InterruptedException {
        return table.awaitConnected(id, timeout.toNanos());
    }

    @Override
    public boolean relays(PeerConnection connection) {
        return hellos.relays(connection);
    }

    @Override
    public PeerHandle openRelay(PeerConnection via, PeerId target, Duration timeout) throws CrustException {
        return relay.open(via, target, timeout);
    }

    @Override
    public Optional<HolePunch.Udp> udp() {
        return udp.isRunning() ? Optional.of(udp) : Optional.empty();
    }

    @Override
    public Optional<TcpPunch.Tcp> tcp() {
        return tcp;
    }

    @Override
    public void awaitHellos(Duration timeout) throws InterruptedException {
        hellos.awaitAll(timeout);
    }
}
