package io.crust.core.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabException;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@link LabPeer} processes in one {@link NatLab}, driven through their stdin and stdout: public nodes
 * (every peer's bootstrap contacts, rendezvous and STUN servers; the first one relays) and peers on any
 * lab host, connected to each other by peer id. Closing it stops every process it started (the lab
 * would at its own close; this lets one lab outlive its peers).
 */
final class LabNodes implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(120);
    /** How many connections {@link #exchange} tries before a message counts as undeliverable. */
    private static final int SENDS = 3;
    private static final int PORT = 5483;

    /** One running LabPeer and the id it printed. */
    record Node(LabProcess process, String id) {
    }

    /** How one {@code connect} by id went: the CONNECTED line and, if it came up relayed, its move to a direct path. */
    record Outcome(String connected, long millis, String route, String transport, Optional<String> upgraded) {
        /** "ROUTE TRANSPORT" where the connection ended: after its upgrade, if any. */
        String finalRoute() {
            return upgraded.map(u -> u.split(" ")[4] + " " + u.split(" ")[5]).orElse(route + " " + transport);
        }

        @Override
        public String toString() {
            return "first " + route + " " + transport + " in " + millis + " ms"
                    + upgraded.map(u -> ", then " + finalRoute()).orElse("");
        }
    }

    private final List<LabProcess> processes = new ArrayList<>();
    private final List<String> contacts = new ArrayList<>();

    private LabNodes() {
    }

    /** Starts {@code count} public nodes on public hosts of {@code lab}; the first one relays. */
    static LabNodes withPublicNodes(NatLab lab, int count) throws LabException {
        LabNodes nodes = new LabNodes();
        try {
            for (int i = 0; i < count; i++) {
                LabHost hub = lab.publicHost();
                List<String> args = new ArrayList<>(List.of("--port", String.valueOf(PORT)));
                if (i == 0) {
                    args.add("--relay");
                }
                LabProcess node = nodes.own(hub.startJava(LabPeer.class, args.toArray(String[]::new)));
                node.awaitLine(l -> l.startsWith("READY "), WAIT);
                nodes.contacts.addAll(List.of("--contact", hub.address().getHostAddress() + ":" + PORT));
            }
        } catch (LabException | RuntimeException e) {
            nodes.close();
            throw e;
        }
        return nodes;
    }

    /**
     * Starts a peer on {@code host} with every public node as a contact and waits until it is connected
     * to all of them: only then does a connect by id offer our public candidates (each public node tells
     * how it sees us).
     */
    Node peer(LabHost host, List<String> jvmOptions, String... options) throws LabException {
        List<String> args = new ArrayList<>(contacts);
        args.addAll(List.of(options));
        LabProcess process = own(host.startJava(jvmOptions, LabPeer.class, args.toArray(String[]::new)));
        String id = process.awaitLine(l -> l.startsWith("READY "), WAIT).substring("READY ".length());
        for (int i = 0; i < contacts.size() / 2; i++) {
            process.awaitLine(l -> l.startsWith("EVENT PeerConnected "), WAIT);
        }
        return new Node(process, id);
    }

    /**
     * Waits until {@code node} (started with {@code --port-mapping}) lists its TCP listening port on
     * {@code routerAddress} among its external addresses: the router has mapped it (a reflexive TCP
     * address, seen on an outgoing connection, has another port). No event announces a mapping, so
     * this asks every 100 ms.
     */
    static void awaitTcpMapping(Node node, String routerAddress) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            node.process().writeLine("external");
            last = node.process().awaitLine(l -> l.startsWith("EXTERNAL "), WAIT);
            String[] words = last.split(" ");
            if (List.of(words).subList(2, words.length).contains(routerAddress + ":" + words[1])) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no TCP port mapping on " + routerAddress + " within " + WAIT + "; last: " + last);
    }

    /**
     * A connects to B by id. When the first connection is not {@code settled} (given "ROUTE TRANSPORT",
     * say "not relayed"), waits up to {@code settleWait} for the upgrades that move it until it is.
     */
    static Outcome connect(Node a, Node b, Predicate<String> settled, Duration settleWait) throws Exception {
        int mark = a.process().lines().size();
        a.process().writeLine("connect " + b.id());
        String result = a.process().awaitLine(l -> l.startsWith("CONNECTED ") || l.startsWith("FAILED connect:"), WAIT);
        assertThat(result).as("connect by id").startsWith("CONNECTED " + b.id());
        String[] f = result.split(" ");
        Optional<String> upgraded = upgradeAfter(a.process(), mark, b.id());
        Outcome outcome = new Outcome(result, Long.parseLong(f[4]), f[2], f[3], upgraded);
        long deadline = System.nanoTime() + settleWait.toNanos();
        while (!settled.test(outcome.finalRoute()) && System.nanoTime() < deadline) {
            try {
                String next = a.process().awaitLine(l -> l.startsWith("EVENT ConnectionUpgraded " + b.id()),
                        Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                outcome = new Outcome(result, outcome.millis(), outcome.route(), outcome.transport(), Optional.of(next));
            } catch (LabException notMoved) {
                break; // it stayed where it was
            }
        }
        return outcome;
    }

    /**
     * A message from A to B: B receives it, or A is told that the connection it went out on was lost (or
     * the send failed), and then A connects again and sends again, at most {@value #SENDS} times. A loss
     * is the contract at work, not a fault: a direct attempt of an earlier try can register at A just as
     * B drops the pair, so A holds a connection B has closed; what is sent on it is lost, and reported.
     */
    static void exchange(Node a, Node b, String text) throws Exception {
        for (int send = 1; ; send++) {
            int mark = a.process().lines().size();
            a.process().writeLine("send " + b.id() + " " + text);
            Optional<String> lost = deliveredOrLost(a, b, text, mark);
            if (lost.isEmpty()) {
                return;
            }
            System.out.println(text + ": A was told its connection was lost before B got the message (" + lost.get()
                    + "); send " + send + " of at most " + SENDS);
            if (send == SENDS) {
                throw new AssertionError(text + " was lost with " + SENDS + " connections in a row");
            }
            a.process().awaitLine(lost.get()::equals, WAIT); // read past it: connect awaits what comes next
            connect(a, b, route -> true, Duration.ZERO);
        }
    }

    /** Empty once B printed the message; the line in which A reported the loss, if A did first. */
    private static Optional<String> deliveredOrLost(Node a, Node b, String text, int mark) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (b.process().pollLine(l -> l.equals("MESSAGE " + a.id() + " " + text), Duration.ofMillis(200)).isPresent()) {
                return Optional.empty();
            }
            List<String> lines = a.process().lines();
            Optional<String> lost = lines.subList(mark, lines.size()).stream()
                    .filter(l -> l.startsWith("EVENT PeerLost[peer=" + b.id()) || l.startsWith("FAILED send:")).findFirst();
            if (lost.isPresent()) {
                return lost;
            }
        }
        throw new AssertionError("B never received " + text + " and A reported no loss within " + WAIT
                + "; A's last lines: " + tail(a) + "\nB's last lines: " + tail(b));
    }

    /**
     * Drops the pair from both ends until neither lists the other, so that the next try starts from
     * nothing: a direct attempt still running at either end can connect the pair again just after a drop.
     */
    static void separate(Node a, Node b) throws Exception {
        for (int round = 0; round < 50; round++) {
            a.process().writeLine("drop " + b.id());
            a.process().awaitLine(l -> l.equals("DROPPED " + b.id()), WAIT);
            b.process().writeLine("drop " + a.id());
            b.process().awaitLine(l -> l.equals("DROPPED " + a.id()), WAIT);
            if (!lists(a, b) && !lists(b, a)) {
                return;
            }
            Thread.sleep(200); // a late attempt connected them again: nothing announces its end
        }
        throw new AssertionError("the pair was still connected after 50 rounds of drop");
    }

    private static List<String> tail(Node node) {
        List<String> lines = node.process().lines();
        return lines.subList(Math.max(0, lines.size() - 12), lines.size());
    }

    private static boolean lists(Node node, Node other) throws LabException {
        node.process().writeLine("peers");
        return node.process().awaitLine(l -> l.startsWith("PEERS"), WAIT).contains(other.id());
    }

    private static Optional<String> upgradeAfter(LabProcess process, int mark, String peer) {
        List<String> lines = process.lines();
        return lines.subList(mark, lines.size()).stream()
                .filter(l -> l.startsWith("EVENT ConnectionUpgraded " + peer)).reduce((first, second) -> second);
    }

    private LabProcess own(LabProcess process) {
        processes.add(process);
        return process;
    }

    @Override
    public void close() {
        processes.reversed().forEach(LabProcess::close);
        processes.clear();
    }
}
