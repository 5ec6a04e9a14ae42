package io.crust.testkit.lab;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A home network: a NAT router of some {@link NatKind} with a private LAN and one or more hosts.
 * For {@link NatKind#DOUBLE_NAT} a carrier-grade NAT sits between the home router and the
 * internet.
 */
public final class Site {

    private final NatLab lab;
    private final int index;
    private final NatKind kind;
    private final LabHost router;
    private final LabHost carrierRouter;
    private final InetAddress publicAddress;
    private final List<LabHost> hosts = new ArrayList<>();

    Site(NatLab lab, int index, NatKind kind, LabHost router, LabHost carrierRouter, InetAddress publicAddress) {
        this.lab = lab;
        this.index = index;
        this.kind = kind;
        this.router = router;
        this.carrierRouter = carrierRouter;
        this.publicAddress = publicAddress;
    }

    public NatKind kind() {
        return kind;
    }

    /** The site's (home) router namespace; its LAN address is the hosts' gateway. */
    public LabHost router() {
        return router;
    }

    /** The carrier-grade NAT in front of the home router, for {@link NatKind#DOUBLE_NAT} only. */
    public Optional<LabHost> carrierRouter() {
        return Optional.ofNullable(carrierRouter);
    }

    /** The address the internet sees this site's traffic come from. */
    public InetAddress publicAddress() {
        return publicAddress;
    }

    /** The router's LAN address (192.168.N.1), where miniupnpd listens on a UPnP site. */
    public InetAddress gateway() {
        return router.address();
    }

    /** The site's first host (192.168.N.2). */
    public LabHost host() {
        return hosts.get(0);
    }

    /** All hosts of the site, first one first. */
    public List<LabHost> hosts() {
        return List.copyOf(hosts);
    }

    /** Adds another host to the LAN (192.168.N.3, .4, ...). */
    public LabHost addHost() throws LabException {
        return lab.addHost(this);
    }

    /** Forgets every NAT mapping ({@code conntrack -F} on the router(s)): a "rebinding" fault. */
    public void flushMappings() throws LabException {
        router.exec(Duration.ofSeconds(10), "conntrack", "-F").orThrow();
        if (carrierRouter != null) {
            carrierRouter.exec(Duration.ofSeconds(10), "conntrack", "-F").orThrow();
        }
    }

    /**
     * Restarts miniupnpd on a {@link NatKind#UPNP} site: SIGKILL, then started again (it is ready
     * when this returns). {@code asReboot} also wipes its nft rules and the router's conntrack table,
     * as a power cycle of the router would; without it miniupnpd re-reads the rules it left behind.
     */
    public void restartMiniUpnpd(boolean asReboot) throws LabException {
        if (kind != NatKind.UPNP) {
            throw new IllegalStateException("only a UPNP site runs miniupnpd: " + this);
        }
        MiniUpnpd.restart(router, "192.168." + index + ".0/24", asReboot);
    }

    int index() {
        return index;
    }

    void addHostRecord(LabHost host) {
        hosts.add(host);
    }

    @Override
    public String toString() {
        return "Site[" + kind + ", router " + router.namespace() + ", public " + publicAddress.getHostAddress() + "]";
    }
}
