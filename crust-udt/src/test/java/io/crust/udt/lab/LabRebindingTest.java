package io.crust.udt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.LabTools;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A NAT rebinding in the middle of a crust-udt transfer, in the lab: a host behind a port-restricted
 * cone NAT and a public host, the router's link held to {@value #MBIT} Mbit/s so that the transfer
 * lasts several seconds. When {@value #FLUSH_AT} bytes have arrived, the router forgets its mappings
 * and gives the next packets a new external port, as many home routers do after a reboot: its
 * masquerade rule becomes {@code masquerade fully-random} and {@code conntrack -F} empties the table.
 * The public side must follow the host to its new port; the transfer must arrive byte-exact. Prints
 * the longest wait between two messages at the receiver (the recovery time). Skipped without root,
 * ip, nft, tc or conntrack (fails instead with CI=true).
 */
class LabRebindingTest {
    private static final long BYTES = 24L << 20;
    private static final long FLUSH_AT = 8L << 20;
    private static final int MBIT = 40;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String REBIND = "nft flush chain ip crust_nat postrouting"
            + " && nft add rule ip crust_nat postrouting oifname wan masquerade fully-random && conntrack -F";

    @Test
    void anUploadSurvivesTheNatForgettingItsMappingAndArrivesByteExact() throws Exception {
        LabTools.require("nft", "conntrack", "tc");
        try (NatLab lab = NatLab.start("rebind-up")) {
            LabHost server = lab.publicHost();
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            site.router().exec(TIMEOUT, "tc", "qdisc", "replace", "dev", "wan", "root", "tbf", "rate", MBIT + "mbit",
                    "burst", "64kb", "latency", "100ms").orThrow();
            LabProcess receiver = server.startJava(LabPeer.class, "server", "9000");
            receiver.awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(30));
            LabProcess sender = site.host().startJava(LabPeer.class, "client", server.address().getHostAddress(),
                    "9000", String.valueOf(BYTES));
            String accepted = receiver.awaitLine(l -> l.startsWith("ACCEPTED"), Duration.ofSeconds(30));
            receiver.awaitLine(l -> l.startsWith("AT ") && Long.parseLong(l.substring(3)) >= FLUSH_AT, Duration.ofSeconds(60));
            long flushStart = System.nanoTime();
            site.router().exec(TIMEOUT, "sh", "-c", REBIND).orThrow();
            double flushSeconds = (System.nanoTime() - flushStart) / 1e9;

            String sent = sender.awaitLine(l -> l.startsWith("SENT"), Duration.ofSeconds(120));
            String received = receiver.awaitLine(l -> l.startsWith("RECEIVED"), Duration.ofSeconds(30));
            String[] s = sent.split(" ");
            String[] r = received.split(" ");
            String before = accepted.split(" ")[1];
            assertThat(r[1]).isEqualTo(String.valueOf(BYTES));
            assertThat(r[2]).as("SHA-256 at both ends; sender said: %s", sent).isEqualTo(s[2]);
            assertThat(r[4]).as("the receiver follows the sender to its new port").isNotEqualTo(before);
            assertThat(received).contains("pathMigrations=1");
            System.out.printf("rebind lab, upload: %d MiB byte-exact at %d Mbit/s; rebinding (nft + conntrack -F) took"
                            + " %.2f s; the sender moved from %s to %s; longest wait between messages at the receiver"
                            + " %s ms; whole transfer %.2f s%n", BYTES >> 20, MBIT, flushSeconds, before, r[4], r[3],
                    Double.parseDouble(s[3]));
        }
    }

    @Test
    void aDownloadSurvivesTheNatForgettingItsMappingAndArrivesByteExact() throws Exception {
        LabTools.require("nft", "conntrack", "tc");
        try (NatLab lab = NatLab.start("rebind-down")) {
            LabHost server = lab.publicHost();
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            site.router().exec(TIMEOUT, "tc", "qdisc", "replace", "dev", "lp1", "root", "tbf", "rate", MBIT + "mbit",
                    "burst", "64kb", "latency", "100ms").orThrow();
            LabProcess sender = server.startJava(LabPeer.class, "server-send", "9000", String.valueOf(BYTES));
            sender.awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(30));
            LabProcess receiver = site.host().startJava(LabPeer.class, "client-receive",
                    server.address().getHostAddress(), "9000");
            String accepted = sender.awaitLine(l -> l.startsWith("ACCEPTED"), Duration.ofSeconds(30));
            receiver.awaitLine(l -> l.startsWith("AT ") && Long.parseLong(l.substring(3)) >= FLUSH_AT, Duration.ofSeconds(60));
            long flushStart = System.nanoTime();
            site.router().exec(TIMEOUT, "sh", "-c", REBIND).orThrow();
            double flushSeconds = (System.nanoTime() - flushStart) / 1e9;

            String sent = sender.awaitLine(l -> l.startsWith("SENT"), Duration.ofSeconds(120));
            String received = receiver.awaitLine(l -> l.startsWith("RECEIVED"), Duration.ofSeconds(30));
            String[] s = sent.split(" ");
            String[] r = received.split(" ");
            String before = accepted.split(" ")[1];
            assertThat(r[1]).isEqualTo(String.valueOf(BYTES));
            assertThat(r[2]).as("SHA-256 at both ends; sender said: %s", sent).isEqualTo(s[2]);
            assertThat(s[4]).as("the sender follows the receiver to its new port").isNotEqualTo(before);
            assertThat(sent).contains("pathMigrations=1");
            System.out.printf("rebind lab, download: %d MiB byte-exact at %d Mbit/s; rebinding (nft + conntrack -F)"
                            + " took %.2f s; the receiver moved from %s to %s; longest wait between messages at the"
                            + " receiver %s ms; whole transfer %.2f s%n", BYTES >> 20, MBIT, flushSeconds, before, s[4],
                    r[3], Double.parseDouble(s[3]));
        }
    }
}
