package io.crust.demo.peer;

import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.Site;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What {@link LabFaultsTest} does to and checks on a lab router besides what the lab offers itself. */
final class RouterFaults {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private RouterFaults() {
    }

    /** Holds the router's link to the site's first host (veth {@code lp1}) to {@code mbit} Mbit/s towards that host (tc tbf). */
    static void limitRate(Site site, int mbit) throws Exception {
        site.router().exec(TIMEOUT, "tc", "qdisc", "replace", "dev", "lp1", "root", "tbf", "rate", mbit + "mbit",
                "burst", "64kb", "latency", "100ms").orThrow();
    }

    static void unlimitRate(Site site) throws Exception {
        site.router().exec(TIMEOUT, "tc", "qdisc", "del", "dev", "lp1", "root").orThrow();
    }

    /**
     * Drops every packet the site's router forwards for exactly {@code duration}, timed inside its
     * namespace: a table whose forward hook drops everything, deleted after {@code sleep}. The process
     * prints {@code on} once the table is in place and {@code off} once it is gone.
     */
    static LabProcess dropEverything(Site site, Duration duration) throws Exception {
        String seconds = String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
        return site.router().start("sh", "-c", "nft add table inet crust_burst"
                + " && nft add chain inet crust_burst forward '{ type filter hook forward priority -5 ; policy drop ; }'"
                + " && echo on && sleep " + seconds + " && nft delete table inet crust_burst && echo off");
    }

    /** Runs {@code nft} with these arguments on the router; its output. */
    static String nft(LabHost router, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("nft"));
        command.addAll(List.of(arguments));
        return router.exec(TIMEOUT, command.toArray(String[]::new)).orThrow().stdout();
    }

    /** True if miniupnpd's nat chain on the site's router holds a rule for external port {@code port}. */
    static boolean hasRule(Site site, int port) throws Exception {
        return nft(site.router(), "list", "chain", "inet", "filter", "prerouting_miniupnpd").contains("dport " + port + " ");
    }

    /** True if a TCP connection from {@code from} to {@code hostPort} is accepted within 3 s (bash's /dev/tcp, then closed). */
    static boolean reachable(LabHost from, String hostPort) throws Exception {
        String[] parts = hostPort.split(":");
        return from.exec(TIMEOUT, "timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + parts[0] + "/" + parts[1]).exitCode() == 0;
    }
}
