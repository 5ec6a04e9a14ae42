package io.crust.nat.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.ExecResult;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * STUN in the NAT lab: our classifier against stund behind every kind of NAT, our client against
 * stund and coturn, and stund's and coturn's clients against our server.
 */
class StunLabTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<NatKind> KINDS = List.of(NatKind.FULL_CONE, NatKind.ADDRESS_RESTRICTED_CONE,
            NatKind.PORT_RESTRICTED_CONE, NatKind.SYMMETRIC, NatKind.DOUBLE_NAT);

    @Test
    void classifierAgreesWithEveryLabNatKindThroughStund() throws Exception {
        try (NatLab lab = NatLab.start("classify")) {
            lab.startStunServer();
            List<Site> sites = new ArrayList<>();
            for (NatKind k : KINDS) {
                sites.add(lab.site(k));
            }
            LabHost open = lab.publicHost();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> lines = new ArrayList<>();
                for (Site s : sites) {
                    lines.add(pool.submit(() -> classify(s.host())));
                }
                Future<String> openLine = pool.submit(() -> classify(open));
                for (int i = 0; i < sites.size(); i++) {
                    NatKind kind = sites.get(i).kind();
                    String[] f = lines.get(i).get(2, TimeUnit.MINUTES).split(" ");
                    assertThat(f[1]).as(kind + " mapping").isEqualTo(kind.mapping().name());
                    assertThat(f[2]).as(kind + " filtering").isEqualTo(kind.filtering().name());
                    assertThat(f[4]).as(kind + " external").startsWith(sites.get(i).publicAddress().getHostAddress() + ":");
                }
                String[] o = openLine.get(2, TimeUnit.MINUTES).split(" ");
                assertThat(o[1]).isEqualTo("ENDPOINT_INDEPENDENT");
                assertThat(o[2]).isEqualTo("ENDPOINT_INDEPENDENT");
                assertThat(o[4]).startsWith(open.address().getHostAddress() + ":");
            }
        }
    }

    private static String classify(LabHost host) throws Exception {
        LabProcess p = host.startJava(LabStunTool.class, "classify", NatLab.INTERNET_PRIMARY + ":" + NatLab.STUN_PORT);
        return p.awaitLine(l -> l.startsWith("BEHAVIOUR "), WAIT);
    }

    @Test
    void ourClientReadsStundAndCoturnAndTheirClientsReadOurServer() throws Exception {
        try (NatLab lab = NatLab.start("interop")) {
            lab.startStunServer();
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            String publicIp = site.publicAddress().getHostAddress();
            LabHost internet = lab.internet();
            LabProcess turn = internet.start("turnserver", "--stun-only", "--no-cli", "--no-tls", "--no-dtls", "-z",
                    "-L", NatLab.INTERNET_PRIMARY, "-L", NatLab.INTERNET_SECONDARY, "-p", "3490",
                    "--alt-listening-port", "3491", "--log-file", "stdout", "--simple-log",
                    "--pidfile", lab.logDirectory().resolve("turnserver.pid").toString());
            LabProcess ours = internet.startJava(LabStunTool.class, "serve", NatLab.INTERNET_PRIMARY, "3500",
                    NatLab.INTERNET_SECONDARY, "3501");
            ours.awaitLine(l -> l.startsWith("LISTENING"), WAIT);
            awaitUdp(internet, NatLab.INTERNET_PRIMARY + ":3490");

            // Our client against stund (RFC 3489: MAPPED-ADDRESS, CHANGED-ADDRESS) and coturn (RFC 8489 + 5780).
            String stund = site.host().startJava(LabStunTool.class, "stun", NatLab.INTERNET_PRIMARY + ":3478")
                    .awaitLine(l -> l.startsWith("MAPPED"), WAIT);
            String coturn = site.host().startJava(LabStunTool.class, "stun", NatLab.INTERNET_PRIMARY + ":3490")
                    .awaitLine(l -> l.startsWith("MAPPED"), WAIT);
            String coturnClassified = site.host().startJava(LabStunTool.class, "classify", NatLab.INTERNET_PRIMARY + ":3490")
                    .awaitLine(l -> l.startsWith("BEHAVIOUR"), WAIT);
            assertThat(stund).startsWith("MAPPED " + publicIp + ":").contains("other=" + NatLab.INTERNET_SECONDARY + ":3479");
            assertThat(coturn).startsWith("MAPPED " + publicIp + ":");
            System.out.println("coturn: " + coturn + "; classified: " + coturnClassified + "; its RFC 5780 log lines: "
                    + turn.lines().stream().filter(l -> l.contains("5780") || l.toLowerCase().contains("alt")).toList());
            // coturn adds OTHER-ADDRESS only in RFC 5780 mode; without it the classifier must say "unknown", not guess.
            assertThat(coturnClassified).matches(coturn.contains("other=none")
                    ? "BEHAVIOUR UNKNOWN UNKNOWN .*" : "BEHAVIOUR ENDPOINT_INDEPENDENT ADDRESS_AND_PORT_DEPENDENT .*");

            // Their clients against our server.
            // Seeing OTHER-ADDRESS, turnutils_stunclient runs its RFC 5780 tests; it waits forever for the
            // answers the port-restricted NAT filters out, so it gets 8 s and we read what it printed.
            ExecResult turnutils = site.host().exec(WAIT, "timeout", "8", "turnutils_stunclient", "-p", "3500",
                    NatLab.INTERNET_PRIMARY);
            assertThat(turnutils.stdout()).contains("UDP reflexive addr: " + publicIp + ":")
                    .contains("Other addr: : " + NatLab.INTERNET_SECONDARY + ":3501");
            ExecResult classic = site.host().exec(WAIT, "timeout", "30", "stun", NatLab.INTERNET_PRIMARY + ":3500", "-v");
            String classicOut = classic.stdout() + classic.stderr();
            assertThat(classicOut).contains("MappedAddress = " + publicIp + ":")
                    .contains("Independent Mapping").contains("Port Dependent Filter");
            System.out.println("turnutils_stunclient against our server:\n" + turnutils.stdout());
            System.out.println("stun (stund's client) against our server:\n" + classicOut);
            ours.closeStdin();
        }
    }

    private static void awaitUdp(LabHost host, String endpoint) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!host.exec(WAIT, "ss", "-Hlun").stdout().contains(endpoint)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing listens on " + endpoint);
            }
            Thread.sleep(100); // a daemon we cannot ask: poll its socket
        }
    }
}
