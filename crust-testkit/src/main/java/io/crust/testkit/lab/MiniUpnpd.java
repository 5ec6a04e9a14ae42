package io.crust.testkit.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Starts Debian's miniupnpd (nftables build) on a UPnP site's router: UPnP IGD on port
 * {@value #HTTP_PORT}, NAT-PMP and PCP on 5351, learning its public address by STUN from the lab's
 * internet namespace (it refuses a documentation-range WAN address otherwise).
 */
final class MiniUpnpd {

    static final int HTTP_PORT = 5555;
    static final String READY_LINE = "Listening for NAT-PMP/PCP traffic on port 5351";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(40);

    private MiniUpnpd() {
    }

    static String config(String lanCidr) {
        return """
                ext_ifname=wan
                listening_ip=lan
                port=%d
                enable_natpmp=yes
                enable_upnp=yes
                secure_mode=no
                uuid=%s
                ext_perform_stun=yes
                ext_stun_host=%s
                ext_stun_port=3478
                allow 1024-65535 %s 1024-65535
                deny 0-65535 0.0.0.0/0 0-65535
                """.formatted(HTTP_PORT, UUID.randomUUID(), NatLab.INTERNET_PRIMARY, lanCidr);
    }

    /**
     * Writes the configuration, starts miniupnpd in the foreground with its log on stdout, and
     * waits until it has done its STUN check and listens for NAT-PMP/PCP (HTTP listens just before).
     */
    static LabProcess start(LabHost router, String lanCidr) throws LabException {
        LabTools.require("miniupnpd");
        Path dir = router.lab().logDirectory();
        Path conf = dir.resolve(router.namespace() + "-miniupnpd.conf");
        Path pid = dir.resolve(router.namespace() + "-miniupnpd.pid");
        try {
            Files.writeString(conf, config(lanCidr), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write " + conf, e);
        }
        LabProcess daemon = router.start(List.of("sh", "-c",
                "exec miniupnpd -f '" + conf + "' -d -P '" + pid + "' 2>&1"));
        daemon.awaitLine(line -> line.contains(READY_LINE), STARTUP_TIMEOUT);
        return daemon;
    }

    /**
     * Kills the running daemon with SIGKILL (by its pid file, waiting until it is gone) and starts it
     * again with the same configuration. With {@code forgetState} the router also loses what a reboot
     * loses: miniupnpd's nft rules (which it otherwise re-reads at start) and the conntrack table.
     */
    static LabProcess restart(LabHost router, String lanCidr, boolean forgetState) throws LabException {
        Path pid = router.lab().logDirectory().resolve(router.namespace() + "-miniupnpd.pid");
        router.exec(STARTUP_TIMEOUT, "sh", "-c", "p=$(cat '" + pid + "') && kill -KILL \"$p\" && "
                + "while kill -0 \"$p\" 2>/dev/null; do sleep 0.05; done").orThrow();
        if (forgetState) {
            for (String chain : List.of("prerouting_miniupnpd", "postrouting_miniupnpd", "miniupnpd")) {
                router.exec(STARTUP_TIMEOUT, "nft", "flush", "chain", "inet", "filter", chain).orThrow();
            }
            router.exec(STARTUP_TIMEOUT, "conntrack", "-F").orThrow();
        }
        return start(router, lanCidr);
    }
}
