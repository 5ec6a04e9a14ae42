package io.crust.demo.peer;

import io.crust.core.BanRule;
import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.demo.peer.FileMessages.MalformedFileMessage;
import io.crust.demo.peer.ShellCommand.UsageException;
import io.crust.nat.HostPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo peer at work: a command loop on the calling thread (reading lines from standard input) and
 * one virtual thread, {@code crust-demo-events}, that turns the node's events into output and receives
 * files ({@link FileReceiver}; {@link FileSender} sends them on the command thread). {@link #close()} stops both and the node.
 */
final class PeerShell implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_CHUNK_BYTES = 64 * 1024;
    private static final int MIN_PREFIX_CHARS = 4;

    private final CrustNode node;
    private final ShellOutput out;
    private final FileReceiver receiver;
    private final FileSender sender;
    private final String networkName;
    /**
     * The {@code Peer} announced by a {@code connected} event for each peer id, until it is lost or
     * dropped. Kept by object, not only by id: a new {@code Peer} of the same id (a reconnection the node
     * made while the old one ended) is announced too, whatever the order its events arrive in.
     */
    private final Map<PeerId, Peer> announced = new ConcurrentHashMap<>();
    private final Thread eventThread;
    private volatile boolean closing;

    PeerShell(CrustNode node, ShellOutput out, Path receiveDirectory, String networkName, int maxMessageBytes, long maxFileBytes) {
        this.node = node;
        this.out = out;
        this.networkName = networkName;
        this.receiver = new FileReceiver(receiveDirectory, maxFileBytes);
        this.sender = new FileSender(Math.min(MAX_CHUNK_BYTES, maxMessageBytes - FileMessages.CHUNK_HEADER_BYTES - 64),
                out::progress);
        this.eventThread = Thread.ofVirtual().name("crust-demo-events").unstarted(this::pumpEvents);
    }

    /** Prints {@code started} and starts handling the node's events. */
    void start() {
        out.event("started", "id", node.id().toString(), "tcp", port(node.tcpAddress()), "udp", port(node.udpAddress()),
                "external", addresses(node.externalAddresses()), "nat", NatGuess.of(node.connectionInfo()), "network", networkName,
                "files", receiver.directory().toString());
        eventThread.start();
    }

    /** Reads and runs commands until {@code quit} or the end of the input. */
    void run(InputStream input) throws IOException {
        BufferedReader lines = new BufferedReader(new java.io.InputStreamReader(input, StandardCharsets.UTF_8));
        String line;
        while (!closing && (line = lines.readLine()) != null) {
            if (!execute(line)) {
                return;
            }
        }
    }

    /** Runs one command line; false if it was {@code quit}. Errors become {@code error} events. */
    boolean execute(String line) {
        try {
            switch (ShellCommand.parse(line)) {
                case ShellCommand.Quit q -> {
                    return false;
                }
                case ShellCommand.Nothing n -> { }
                case ShellCommand.Help h -> ShellCommand.USAGE.forEach(out::note);
                case ShellCommand.Id i -> out.event("id", "id", node.id().toString(), "tcp", port(node.tcpAddress()),
                        "udp", port(node.udpAddress()), "external", addresses(node.externalAddresses()),
                        "nat", NatGuess.of(node.connectionInfo()), "info", node.connectionInfo().toText());
                case ShellCommand.Peers p -> out.event("peers", "peers", peerList());
                case ShellCommand.Connect c -> connect(c.target());
                case ShellCommand.Send s -> send(s.peer(), s.text());
                case ShellCommand.SendFile f -> sendFile(f.peer(), f.path());
                case ShellCommand.Drop d -> {
                    PeerId id = connectedPeer(d.peer()).id();
                    node.drop(id);
                    announced.remove(id);
                    receiver.abandon(id, "dropped").forEach(this::report);
                    out.event("dropped", "peer", id.toString());
                }
                case ShellCommand.Ban b -> ban(b.target());
            }
        } catch (UsageException | CrustException e) {
            out.event("error", "message", e.getMessage());
        } catch (RuntimeException e) {
            // An API refusing an argument (IllegalArgumentException) or a bug: say it, keep running.
            out.event("error", "message", e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return true;
    }

    private void connect(String target) throws CrustException, UsageException {
        List<Peer> before = node.peers();
        Peer peer;
        if (target.indexOf(':') >= 0) {
            peer = node.connect(hostPort(target), CONNECT_TIMEOUT);
        } else {
            peer = node.connect(knownPeer(target), CONNECT_TIMEOUT);
        }
        // The connected event comes from the node, or from here if the node's has not been printed yet. A
        // peer that was connected before the command is announced again, marked so: every connect is answered.
        boolean already = before.contains(peer);
        if (announced.put(peer.id(), peer) != peer || already) {
            announceConnected(peer, peer.route(), peer.transport(), already);
        }
    }

    private void send(String peerText, String text) throws CrustException, UsageException {
        if (text.indexOf('\0') >= 0) {
            throw new UsageException("a text message cannot contain a NUL character");
        }
        connectedPeer(peerText).send(text.getBytes(StandardCharsets.UTF_8));
    }

    private void sendFile(String peerText, String pathText) throws CrustException, UsageException {
        Peer peer = connectedPeer(peerText);
        Path path;
        try {
            path = Path.of(pathText.strip());
        } catch (InvalidPathException e) {
            throw new UsageException("'" + pathText + "' is not a valid path");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new UsageException("no readable file at " + path.toAbsolutePath());
        }
        FileSender.Sent sent = sender.send(peer, path);
        out.event("file-sent", "peer", peer.id().toString(), "path", sent.path().toString(), "bytes", sent.bytes(),
                "sha256", HexFormat.of().formatHex(sent.sha256()));
    }

    private void ban(String target) throws UsageException {
        BanRule rule;
        if (looksLikePeer(target)) {
            rule = BanRule.peer(knownPeer(target));
        } else {
            rule = BanRule.cidr(target);
        }
        node.ban(rule);
        out.event("banned", "target", rule instanceof BanRule.PeerRule p ? p.id().toString() : rule.toString());
    }

    /** Base32 peer ids have no dots, colons or slashes; IPs and CIDRs always do. */
    private static boolean looksLikePeer(String text) {
        return text.chars().noneMatch(c -> c == '.' || c == ':' || c == '/');
    }

    private Peer connectedPeer(String text) throws UsageException {
        PeerId id = resolve(text, node.peers().stream().map(Peer::id).toList());
        return node.peer(id).orElseThrow(() -> new UsageException("not connected to " + id.shortForm() + "; connect first"));
    }

    private PeerId knownPeer(String text) throws UsageException {
        List<PeerId> candidates = new ArrayList<>(node.peers().stream().map(Peer::id).toList());
        candidates.addAll(node.knownPeers());
        return resolve(text, candidates);
    }

    /** A full peer id, or a unique prefix (at least 4 characters) of one of {@code candidates}. */
    private static PeerId resolve(String text, List<PeerId> candidates) throws UsageException {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        if (lower.length() == PeerId.TEXT_CHARS) {
            try {
                return PeerId.parse(lower);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        if (lower.length() < MIN_PREFIX_CHARS) {
            throw new UsageException("'" + text + "' is not a peer id; give the full id or at least "
                    + MIN_PREFIX_CHARS + " characters of a known one");
        }
        List<PeerId> matches = candidates.stream().distinct().filter(id -> id.toString().startsWith(lower)).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        throw new UsageException(matches.isEmpty() ? "no known peer id starts with '" + text + "'"
                : "'" + text + "' matches " + matches.size() + " peers; type more of the id");
    }

    private static InetSocketAddress hostPort(String text) throws UsageException {
        HostPort hostPort;
        try {
            hostPort = HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            return hostPort.resolve(); // typed by the user: a name is looked up, a literal is not
        } catch (UnknownHostException e) {
            throw new UsageException("cannot resolve host '" + hostPort.host() + "'");
        }
    }

    private void pumpEvents() {
        try {
            while (!closing) {
                handle(node.events().take());
            }
        } catch (InterruptedException e) {
            // close() stops us
        } catch (RuntimeException e) {
            if (!closing) {
                out.event("error", "message", "event handling stopped: " + e);
            }
        }
    }

    private void handle(CrustEvent event) {
        switch (event) {
            case CrustEvent.PeerConnected c -> {
                if (announced.put(c.peer().id(), c.peer()) != c.peer()) {
                    announceConnected(c.peer(), c.route(), c.transport(), false);
                }
            }
            case CrustEvent.MessageReceived m -> onMessage(m.from(), m.message());
            case CrustEvent.PeerLost l -> {
                announced.remove(l.peer());
                receiver.abandon(l.peer(), "peer lost: " + l.detail()).forEach(this::report);
                sender.onPeerLost(l.peer(), l.detail());
                out.event("lost", "peer", l.peer().toString(), "reason", l.detail());
            }
            case CrustEvent.Misbehaviour m -> out.event("misbehaviour", "peer", m.peer() == null ? null : m.peer().toString(),
                    "kind", m.kind().name().toLowerCase(Locale.ROOT), "detail", m.detail(), "remote", address(m.address()));
            case CrustEvent.BootstrapFinished b -> out.event("bootstrapped", "peers", b.peers().stream().map(PeerId::toString).toList());
            case CrustEvent.BootstrapFailed f -> out.event("bootstrap-failed", "reason", f.reason());
            case CrustEvent.ListenerStarted s -> { }
            case CrustEvent.ListenerFailed f -> out.event("error", "message", "listener " + transport(f.transport())
                    + " " + address(f.address()) + " failed: " + f.reason());
            case CrustEvent.ConnectionUpgraded u -> out.event("upgraded", "peer", u.peer().toString(),
                    "transport", transport(u.transport()), "from", route(u.fromRoute()), "route", route(u.toRoute()),
                    "remote", address(u.remoteAddress()), "family", family(u.remoteAddress()));
        }
    }

    private void onMessage(PeerId from, byte[] message) {
        if (!FileMessages.isFileMessage(message)) {
            out.event("message", "peer", from.toString(), "text", new String(message, StandardCharsets.UTF_8));
            return;
        }
        try {
            FileMessages.FileMessage decoded = FileMessages.decode(message);
            if (decoded instanceof FileMessages.Result r) {
                sender.onResult(from, r);
                return;
            }
            FileReceiver.Outcome outcome = receiver.onMessage(from, decoded);
            report(outcome);
            answer(outcome);
        } catch (MalformedFileMessage e) {
            out.event("error", "message", "malformed file message from " + from.shortForm() + ": " + e.getMessage());
        }
    }

    private void report(FileReceiver.Outcome outcome) {
        switch (outcome) {
            case FileReceiver.Progress p -> out.progress("receiving " + p.name(), p.received(), p.size());
            case FileReceiver.Completed c -> out.event("file", "peer", c.peer().toString(), "path", c.path().toString(),
                    "bytes", c.bytes(), "sha256", c.sha256());
            case FileReceiver.Failed f -> out.event("error", "message", "file " + f.name() + " from "
                    + f.peer().shortForm() + ": " + f.reason());
        }
    }

    /** Tells the sender whether its file was saved; HIGH priority, never dropped (our send queue to it is nearly empty). */
    private void answer(FileReceiver.Outcome outcome) {
        long transferId;
        PeerId peer;
        boolean saved;
        switch (outcome) {
            case FileReceiver.Completed c -> {
                transferId = c.transferId();
                peer = c.peer();
                saved = true;
            }
            case FileReceiver.Failed f -> {
                transferId = f.transferId();
                peer = f.peer();
                saved = false;
            }
            case FileReceiver.Progress p -> {
                return;
            }
        }
        node.peer(peer).ifPresent(p -> {
            try {
                p.send(FileMessages.result(transferId, saved));
            } catch (CrustException e) {
                out.event("error", "message", "cannot tell " + peer.shortForm() + " about its file: " + e.getMessage());
            }
        });
    }

    /** The {@code connected} event; {@code already}: the peer was connected before the command that prints it. */
    private void announceConnected(Peer peer, Route route, Transport transport, boolean already) {
        out.event("connected", "peer", peer.id().toString(), "transport", transport(transport), "route", route(route),
                "remote", address(peer.remoteAddress()), "family", family(peer.remoteAddress()), "already", already);
    }

    private List<Map<String, Object>> peerList() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Peer p : node.peers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("peer", p.id().toString());
            m.put("transport", transport(p.transport()));
            m.put("route", route(p.route()));
            m.put("remote", address(p.remoteAddress()));
            list.add(m);
        }
        return list;
    }

    static String transport(Transport t) {
        return t == Transport.TCP ? "tcp" : "udt";
    }

    /** The route names of the JSON contract; both bootstrap directions are direct dials. */
    static String route(Route r) {
        return switch (r) {
            case DIRECT, BOOTSTRAP_IN, BOOTSTRAP_OUT -> "direct";
            case PUNCHED -> "punched";
            case MAPPED -> "mapped";
            case RELAYED -> "relayed";
            case LAN -> "lan";
        };
    }

    private static Integer port(Optional<InetSocketAddress> address) {
        return address.map(InetSocketAddress::getPort).orElse(null);
    }

    private static List<String> addresses(List<InetSocketAddress> list) {
        return list.stream().map(PeerShell::address).toList();
    }

    /** {@return "ipv6" or "ipv4": the IP version of the path to a peer, or null if not known} */
    static String family(InetSocketAddress a) {
        if (a == null || a.getAddress() == null) {
            return null;
        }
        return a.getAddress() instanceof Inet6Address ? "ipv6" : "ipv4";
    }

    static String address(InetSocketAddress a) {
        if (a == null) {
            return null;
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Stops the event thread, abandons partial files and closes the node; idempotent. */
    @Override
    public void close() {
        closing = true;
        eventThread.interrupt();
        try {
            eventThread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        receiver.close();
        node.close();
    }
}
