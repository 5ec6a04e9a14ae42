package io.crust.demo.peer;

import static io.crust.demo.peer.FaultWatch.awaitEvent;
import static io.crust.demo.peer.FaultWatch.find;
import static io.crust.demo.peer.FaultWatch.seconds;
import static io.crust.demo.peer.JsonPeer.field;
import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab most faults of {@link LabFaultsTest} run in: a public bootstrap peer P (TCP and UDP port
 * 5483), and A and B behind two port-restricted cone NATs, bootstrapped off P, with A connected to B
 * by peer id (P is the rendezvous) and a message exchanged each way.
 */
record ConeLab(NatLab lab, Site siteA, Site siteB, String contact, LabPeer p, LabPeer a, LabPeer b, Path base)
        implements AutoCloseable {

    static ConeLab start(String label, Path base) throws Exception {
        NatLab lab = NatLab.start(label);
        List<LabPeer> started = new ArrayList<>();
        try {
            LabHost publicHost = lab.publicHost();
            Site siteA = lab.site(NatKind.PORT_RESTRICTED_CONE);
            Site siteB = lab.site(NatKind.PORT_RESTRICTED_CONE);
            String contact = publicHost.address().getHostAddress() + ":5483";
            LabPeer p = LabPeer.start(publicHost, base.resolve("p"), "--listen-tcp", "5483", "--listen-udp", "5483", "--no-upnp");
            started.add(p);
            LabPeer a = LabPeer.start(siteA.host(), base.resolve("a"), "--contact", contact, "--no-upnp");
            started.add(a);
            LabPeer b = LabPeer.start(siteB.host(), base.resolve("b"), "--contact", contact, "--no-upnp");
            started.add(b);
            a.await("bootstrapped");
            b.await("bootstrapped");
            long connectStart = System.nanoTime();
            a.command("connect " + b.id());
            String connected = awaitEvent(a, 0, "connected", l -> b.id().equals(field(l, "peer")), LabPeer.WAIT);
            awaitEvent(b, 0, "connected", l -> a.id().equals(field(l, "peer")), LabPeer.WAIT);
            System.out.printf("%s lab: A connected to B by id in %.2f s (route %s, transport %s, remote %s)%n", label,
                    seconds(connectStart), field(connected, "route"), field(connected, "transport"), field(connected, "remote"));
            // Only punching opens B's port-restricted cone to A: the path must end at B's site.
            assertThat(field(connected, "remote")).startsWith(siteB.publicAddress().getHostAddress() + ":");
            ConeLab ready = new ConeLab(lab, siteA, siteB, contact, p, a, b, base);
            ready.exchange("warm-up");
            return ready;
        } catch (Exception | AssertionError e) {
            started.forEach(LabPeer::close);
            lab.close();
            throw e;
        }
    }

    /** A message each way between A and B, both awaited. */
    void exchange(String tag) throws Exception {
        int markA = a.lines().size();
        int markB = b.lines().size();
        a.command("send " + b.id() + " " + tag + " from A");
        b.command("send " + a.id() + " " + tag + " from B");
        awaitEvent(b, markB, "message", l -> (tag + " from A").equals(field(l, "text")), LabPeer.WAIT);
        awaitEvent(a, markA, "message", l -> (tag + " from B").equals(field(l, "text")), LabPeer.WAIT);
    }

    /** True if A reported B lost after A's line {@code markA}, or B reported A lost after its line {@code markB}. */
    boolean lostBetweenAAndB(int markA, int markB) {
        return find(a, markA, "lost", l -> b.id().equals(field(l, "peer"))) != null
                || find(b, markB, "lost", l -> a.id().equals(field(l, "peer"))) != null;
    }

    /**
     * Makes sure {@code from} has a working connection to {@code to}, dialling {@code address} if not
     * (an earlier fault may have cut it). A listed connection must carry a message each way: one that
     * an earlier fault left dying stays listed until its heartbeat times out (in one run B's
     * connection to P, hit by the long loss burst, was listed, then lost a second later, and the
     * connect by id through P that followed found nobody who knew B).
     */
    static void ensureConnected(LabPeer from, LabPeer to, String address) throws Exception {
        int mark = from.lines().size();
        int toMark = to.lines().size();
        from.command("peers");
        if (awaitEvent(from, mark, "peers", l -> true, LabPeer.WAIT).contains(to.id())
                && carries(from, to, mark, toMark) && carries(to, from, toMark, mark)) {
            return;
        }
        int connectMark = from.lines().size();
        from.command("connect " + address);
        // Not an "already" answer: the stale connection it names is the one being replaced.
        awaitEvent(from, connectMark, "connected", l -> to.id().equals(field(l, "peer")) && !l.contains("\"already\":true"),
                LabPeer.WAIT);
        System.out.printf("(%s reconnected to %s)%n", from.id().substring(0, 8), to.id().substring(0, 8));
    }

    /**
     * Whether a message from {@code sender} reaches {@code receiver} before either reports the other
     * lost (after their lines {@code senderMark} and {@code receiverMark}).
     */
    private static boolean carries(LabPeer sender, LabPeer receiver, int senderMark, int receiverMark) throws Exception {
        String probe = "probe-" + System.nanoTime();
        int messageMark = receiver.lines().size();
        sender.command("send " + receiver.id() + " " + probe);
        boolean[] arrived = new boolean[1];
        FaultWatch.awaitTrue("probe " + probe + " at " + receiver.id().substring(0, 8) + ", or a lost report", LabPeer.WAIT, () -> {
            arrived[0] = find(receiver, messageMark, "message", l -> probe.equals(field(l, "text"))) != null;
            return arrived[0]
                    || find(sender, senderMark, "lost", l -> receiver.id().equals(field(l, "peer"))) != null
                    || find(receiver, receiverMark, "lost", l -> sender.id().equals(field(l, "peer"))) != null;
        });
        return arrived[0];
    }

    /** {@code failure} with the last lines of P, A and B added, to tell what each peer saw. */
    AssertionError withRecentLines(AssertionError failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        for (LabPeer peer : List.of(p, a, b)) {
            List<String> lines = peer.lines();
            text.append("\nlast lines of ").append(peer == p ? "P" : peer == a ? "A" : "B").append(' ').append(peer.id(), 0, 8)
                    .append(":\n  ").append(String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
        }
        AssertionError detailed = new AssertionError(text.toString(), failure);
        return detailed;
    }

    @Override
    public void close() throws Exception {
        try (lab; p; a; b) {
            // closes the peers, then the lab
        }
    }
}
