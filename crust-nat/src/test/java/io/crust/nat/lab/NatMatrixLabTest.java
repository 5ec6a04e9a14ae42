package io.crust.nat.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 4 item 7: UDP hole punching and TCP simultaneous open between every pair of site kinds in
 * the NAT lab (each kind with itself too), against the expected table below. Prints the measured
 * table, and fails when a pair that is expected to connect does not.
 */
class NatMatrixLabTest {
    private static final Logger LOG = LoggerFactory.getLogger(NatMatrixLabTest.class);
    private static final int PARALLEL_PAIRS = 7;

    /** The seven kinds of the matrix, in table order. */
    enum Kind {
        PUBLIC("public", NatKind.NONE),
        FULL_CONE("full cone", NatKind.FULL_CONE),
        RESTRICTED_CONE("restricted cone", NatKind.ADDRESS_RESTRICTED_CONE),
        PORT_RESTRICTED_CONE("port-restricted cone", NatKind.PORT_RESTRICTED_CONE),
        SYMMETRIC("symmetric", NatKind.SYMMETRIC),
        UPNP("UPnP router", NatKind.UPNP),
        DOUBLE_NAT("double NAT", NatKind.DOUBLE_NAT);

        final String label;
        final NatKind lab;

        Kind(String label, NatKind lab) {
            this.label = label;
            this.lab = lab;
        }
    }

    /** What each pair must achieve. */
    static boolean udpExpected(Kind a, Kind b) {
        return !(a == Kind.SYMMETRIC && b == Kind.SYMMETRIC);
    }

    /**
     * TCP needs each side's SYN to pass the other's NAT: fine between endpoint-independent NATs
     * that keep ports; with a symmetric side, only when the other side lets in a SYN from an
     * unpredicted port (no NAT, full cone, address-restricted cone, or a UPnP mapping).
     */
    static boolean tcpExpected(Kind a, Kind b) {
        if (a != Kind.SYMMETRIC && b != Kind.SYMMETRIC) {
            return true;
        }
        Kind other = a == Kind.SYMMETRIC ? b : a;
        return other == Kind.PUBLIC || other == Kind.FULL_CONE || other == Kind.RESTRICTED_CONE || other == Kind.UPNP;
    }

    record PairResult(Kind a, Kind b, boolean udp, long udpMillis, String udpDetail, boolean tcp, long tcpMillis,
            String tcpDetail) {
    }

    @Test
    void everyPairOfSiteKindsPunchesAsExpected() throws Exception {
        try (NatLab lab = NatLab.start("matrix")) {
            lab.startStunServer();
            Map<Kind, List<LabHost>> hosts = new EnumMap<>(Kind.class);
            for (Kind k : Kind.values()) {
                List<LabHost> two = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    two.add(k == Kind.PUBLIC ? lab.publicHost() : lab.site(k.lab).host());
                }
                hosts.put(k, two);
            }
            Map<Kind, List<LabAgent>> agents = new EnumMap<>(Kind.class);
            try (ExecutorService starter = Executors.newVirtualThreadPerTaskExecutor()) {
                Map<Kind, List<Future<LabAgent>>> starting = new EnumMap<>(Kind.class);
                for (Kind k : Kind.values()) {
                    List<Future<LabAgent>> f = new ArrayList<>();
                    for (LabHost h : hosts.get(k)) {
                        f.add(starter.submit(() -> LabAgent.start(h)));
                    }
                    starting.put(k, f);
                }
                for (Kind k : Kind.values()) {
                    List<LabAgent> two = new ArrayList<>();
                    for (Future<LabAgent> f : starting.get(k)) {
                        two.add(f.get(120, TimeUnit.SECONDS));
                    }
                    agents.put(k, two);
                }
            }
            List<PairResult> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_PAIRS, Thread.ofVirtual().factory())) {
                List<Future<PairResult>> running = new ArrayList<>();
                int n = 0;
                for (Kind a : Kind.values()) {
                    for (Kind b : Kind.values()) {
                        if (b.ordinal() < a.ordinal()) {
                            continue;
                        }
                        String id = "p" + (++n);
                        LabAgent left = agents.get(a).get(0);
                        LabAgent right = agents.get(b).get(1);
                        running.add(pool.submit(() -> runPair(id, a, b, left, right)));
                    }
                }
                for (Future<PairResult> f : running) {
                    results.add(f.get(5, TimeUnit.MINUTES));
                }
            } finally {
                agents.values().forEach(list -> list.forEach(LabAgent::close));
            }
            String table = table(results);
            System.out.println(table);
            LOG.info("NAT matrix:\n{}", table);
            Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "crust-nat-matrix.md"), table);
            List<String> regressions = new ArrayList<>();
            for (PairResult r : results) {
                if (udpExpected(r.a(), r.b()) && !r.udp()) {
                    regressions.add("UDP " + r.a().label + " / " + r.b().label + ": " + r.udpDetail());
                }
                if (!udpExpected(r.a(), r.b()) && !r.udpDetail().contains("no direct path")) {
                    regressions.add("UDP " + r.a().label + " / " + r.b().label + " should fail cleanly: " + r.udpDetail());
                }
                if (tcpExpected(r.a(), r.b()) && !r.tcp()) {
                    regressions.add("TCP " + r.a().label + " / " + r.b().label + ": " + r.tcpDetail());
                }
            }
            assertThat(regressions).as("pairs that fell short of the expected table\n" + table).isEmpty();
        }
    }

    private static PairResult runPair(String id, Kind a, Kind b, LabAgent left, LabAgent right) throws Exception {
        Duration wait = Duration.ofSeconds(60);
        left.send("START " + id + (a == Kind.UPNP ? " upnp" : " plain"));
        right.send("START " + id + (b == Kind.UPNP ? " upnp" : " plain"));
        String[] offerLeft = left.await(id, "OFFER", wait).split(" ", 4);
        String[] offerRight = right.await(id, "OFFER", wait).split(" ", 4);
        left.send("PUNCH " + id + " " + offerRight[2] + " " + offerRight[3]);
        right.send("PUNCH " + id + " " + offerLeft[2] + " " + offerLeft[3]);
        String[] udpLeft = left.await(id, "UDP", wait).split(" ", 5);
        String[] udpRight = right.await(id, "UDP", wait).split(" ", 5);
        String[] tcpLeft = left.await(id, "TCP", wait).split(" ", 5);
        String[] tcpRight = right.await(id, "TCP", wait).split(" ", 5);
        boolean udp = udpLeft[2].equals("ok") && udpRight[2].equals("ok");
        boolean tcp = tcpLeft[2].equals("ok") && tcpRight[2].equals("ok");
        long udpMillis = Math.max(Long.parseLong(udpLeft[3]), Long.parseLong(udpRight[3]));
        long tcpMillis = Math.max(Long.parseLong(tcpLeft[3]), Long.parseLong(tcpRight[3]));
        String udpDetail = (udpLeft.length > 4 ? udpLeft[4] : "") + " | " + (udpRight.length > 4 ? udpRight[4] : "");
        String tcpDetail = (tcpLeft.length > 4 ? tcpLeft[4] : "") + " | " + (tcpRight.length > 4 ? tcpRight[4] : "");
        LOG.info("{} {} / {}: UDP {} {} ms ({}), TCP {} {} ms ({})", id, a.label, b.label, udp, udpMillis, udpDetail,
                tcp, tcpMillis, tcpDetail);
        return new PairResult(a, b, udp, udpMillis, udpDetail, tcp, tcpMillis, tcpDetail);
    }

    static String table(List<PairResult> results) {
        StringBuilder s = new StringBuilder();
        s.append("| pair | UDP punch | UDP time | TCP simultaneous open | TCP time |\n");
        s.append("|---|---|---|---|---|\n");
        for (PairResult r : results) {
            s.append("| ").append(r.a().label).append(" / ").append(r.b().label).append(" | ")
                    .append(mark(r.udp(), udpExpected(r.a(), r.b()))).append(" | ").append(r.udpMillis()).append(" ms | ")
                    .append(mark(r.tcp(), tcpExpected(r.a(), r.b()))).append(" | ").append(r.tcpMillis()).append(" ms |\n");
        }
        return s.toString();
    }

    private static String mark(boolean ok, boolean expected) {
        return (ok ? "ok" : "no direct path") + (ok == expected ? "" : ok ? " (better than expected)" : " (REGRESSION)");
    }
}
