package io.crust.testkit.lab;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NAT lab: network namespaces joined into an "internet", home sites behind kernel NATs of every
 * {@link NatKind}, public hosts, a two-address STUN server and emulated links, built with
 * {@code ip} and {@code nft} and torn down by {@link #close()}. docs/lab.md has the topology, the
 * address plan and the rules.
 *
 * <pre>{@code
 * try (NatLab lab = NatLab.start("punch")) {
 *     Site a = lab.site(NatKind.PORT_RESTRICTED_CONE);
 *     LabHost p = lab.publicHost();
 *     LabProcess peer = a.host().startJava(MyPeer.class, p.address().getHostAddress());
 *     peer.awaitLine(l -> l.startsWith("CONNECTED"), Duration.ofSeconds(20));
 * }
 * }</pre>
 *
 * <p>Needs Linux, root, {@code ip}, {@code nft}, {@code sysctl} and {@code ss}, and for some
 * features more programs ({@link LabTools} lists them with their Debian packages). When one is
 * missing the calling test is skipped (a JUnit assumption) with the program's name; with
 * environment {@code CI=true} it fails instead. Names start with a random per-run prefix, so concurrent runs never collide. Only lab
 * addresses are used, and traffic is only ever started inside lab namespaces.
 */
public final class NatLab implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NatLab.class);

    /** The internet namespace's first address: probes and the STUN server's primary address. */
    public static final String INTERNET_PRIMARY = "203.0.113.1";
    /** The internet namespace's second address: the STUN server's alternate address. */
    public static final String INTERNET_SECONDARY = "203.0.113.3";
    /** The internet namespace's IPv6 address, once a site is {@linkplain #dualStack dual-stack}. */
    public static final String INTERNET_IPV6 = "2001:db8::1";
    /** STUN's primary port (RFC 5389); stund also answers on 3479. */
    public static final int STUN_PORT = 3478;

    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(20);

    private final String prefix;
    private final Path logDirectory;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<String> namespaces = new ArrayList<>();
    private final Set<String> routers = new HashSet<>();
    private final List<LabProcess> processes = new ArrayList<>();
    private final List<TunLink> tunLinks = new ArrayList<>();
    private final Thread shutdownHook;
    private LabHost internet;
    private LabProcess stunServer;
    private int sites;
    private int publicHosts;
    private int bridgePorts;
    private boolean closed;
    private boolean ipv6Internet;

    private NatLab(String prefix, Path logDirectory) {
        this.prefix = prefix;
        this.logDirectory = logDirectory;
        this.shutdownHook = new Thread(this::closeQuietly, "crust-lab-shutdown-" + prefix);
    }

    /**
     * Builds an empty lab with its internet namespace. {@code label} (letters and digits, shortened
     * to 8) goes into every name, to tell labs apart in {@code ip netns list}.
     */
    public static NatLab start(String label) throws LabException {
        requireAvailable();
        String clean = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String prefix = uniquePrefix() + "-" + clean.substring(0, Math.min(8, clean.length()));
        Path logs;
        try {
            logs = Files.createDirectories(Path.of(System.getProperty("crust.lab.logs",
                    System.getProperty("java.io.tmpdir") + "/crust-lab"), prefix));
        } catch (IOException e) {
            throw new LabException("cannot create the lab log directory", e);
        }
        StaleLabs.removeAbandoned();
        NatLab lab = new NatLab(prefix, logs);
        StaleLabs.register(prefix);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.buildInternet();
        } catch (LabException | RuntimeException e) {
            lab.closeQuietly();
            throw e;
        }
        LOG.info("NAT lab {} started, logs in {}", prefix, logs);
        return lab;
    }

    /**
     * What {@link #start} checks first: skips the calling test (fails it under {@code CI=true}) unless
     * a lab can be built here. For tests that touch namespaces before starting a lab.
     */
    static void requireAvailable() throws LabException {
        String unavailable = unavailableReason();
        if (unavailable != null) {
            LabTools.unavailable(unavailable);
        }
    }

    /** The prefix of every namespace this lab creates (for {@code ip netns list | grep}). */
    public String prefix() {
        return prefix;
    }

    /** Where process stderr logs and daemon configurations go; kept after close for diagnosis. */
    public Path logDirectory() {
        return logDirectory;
    }

    /** The internet namespace: addresses {@value #INTERNET_PRIMARY} and {@value #INTERNET_SECONDARY} on one segment. */
    public LabHost internet() {
        return internet;
    }

    /**
     * Starts (once) stund in the internet namespace on both internet addresses, ports 3478 and
     * 3479, answering RFC 3489 CHANGE-REQUEST; returns its primary address.
     */
    public InetSocketAddress startStunServer() throws LabException {
        lock.lock();
        try {
            if (stunServer == null) {
                stunServer = internet.start("stund", "-h", INTERNET_PRIMARY, "-a", INTERNET_SECONDARY);
                awaitUdpListeners(internet, List.of(INTERNET_PRIMARY + ":3478", INTERNET_PRIMARY + ":3479",
                        INTERNET_SECONDARY + ":3478", INTERNET_SECONDARY + ":3479"));
            }
            return new InetSocketAddress(address(INTERNET_PRIMARY), STUN_PORT);
        } finally {
            lock.unlock();
        }
    }

    /** Builds a site: router (and carrier NAT for DOUBLE_NAT) plus one host. Use {@link #publicHost()} for NONE. */
    public Site site(NatKind kind) throws LabException {
        if (kind == NatKind.NONE) {
            throw new IllegalArgumentException("a host without NAT is a public host: use publicHost()");
        }
        lock.lock();
        try {
            int n = ++sites;
            if (n > 80) {
                throw new LabException("a lab holds at most 80 sites");
            }
            String wanAddress = "203.0.113." + (10 + n);
            String lanCidr = "192.168." + n + ".0/24";
            LabHost carrier = null;
            LabHost router = newNamespace(prefix + "-r" + n, "192.168." + n + ".1");
            bridge(router, "lan");
            ip(router, "addr", "add", "192.168." + n + ".1/24", "dev", "lan");
            ip(router, "link", "set", "lan", "up");
            if (kind == NatKind.DOUBLE_NAT) {
                carrier = newNamespace(prefix + "-c" + n, wanAddress);
                attachToInternet(carrier, "wan", wanAddress);
                veth(carrier, "lan", "100.64." + n + ".1/24", router, "wan", "100.64." + n + ".2/24");
                ip(router, "route", "add", "default", "via", "100.64." + n + ".1");
                enableForwarding(carrier);
                routers.add(carrier.namespace());
                nft(carrier, NatRules.firewall(false) + NatRules.translation(NatKind.PORT_RESTRICTED_CONE));
            } else {
                attachToInternet(router, "wan", wanAddress);
            }
            enableForwarding(router);
            routers.add(router.namespace());
            nft(router, NatRules.firewall(kind == NatKind.UPNP) + NatRules.translation(kind));
            Site site = new Site(this, n, kind, router, carrier, address(wanAddress));
            addHost(site);
            if (kind == NatKind.UPNP) {
                startStunServer();
                MiniUpnpd.start(router, lanCidr);
            }
            LOG.info("lab {}: {} with host {}", prefix, site, site.host());
            return site;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a site IPv6 beside its IPv4 NAT, as a dual-stack home router does: a global prefix
     * {@code 2001:db8:N::/64} on the LAN (the host {@code 2001:db8:N::2}, more hosts ::3, ::4, ...),
     * the router at {@code 2001:db8::(10+N)} on the internet, and no translation, only a stateful
     * firewall on what it forwards (RFC 6092: replies and related ICMPv6 in, everything from the LAN
     * out, every unsolicited packet from the internet dropped). Call it once the site's hosts are
     * added; hosts added after it get IPv4 only. Not for {@link NatKind#DOUBLE_NAT}. On a
     * {@link NatKind#UPNP} site miniupnpd is restarted to serve IPv6 too: PCP MAP requests and
     * WANIPv6FirewallControl open pinholes in that firewall.
     */
    public void dualStack(Site site) throws LabException {
        dualStack(site, false);
    }

    /**
     * As {@link #dualStack(Site)}, but the LAN has unique-local addresses ({@code fd00:N::/64}, hosts
     * {@code fd00:N::2}, ...) and the router translates them to its own {@code 2001:db8::(10+N)}
     * (NAT66, Linux masquerade: the source port kept where free, replies only from where the host
     * sent), as some mobile hotspots and enterprise gateways do. A host's IPv6 host address is then
     * no more reachable from outside than a private IPv4 one; only its server-reflexive address is.
     */
    public void dualStackBehindNat66(Site site) throws LabException {
        dualStack(site, true);
    }

    private void dualStack(Site site, boolean nat66) throws LabException {
        if (site.kind() == NatKind.DOUBLE_NAT) {
            throw new IllegalArgumentException("a dual-stack site has one router: not " + site.kind());
        }
        boolean upnp = site.kind() == NatKind.UPNP;
        if (upnp && nat66) {
            throw new IllegalArgumentException("a UPnP site's IPv6 is a firewall with pinholes, not NAT66");
        }
        lock.lock();
        try {
            buildIpv6Internet();
            int n = site.index();
            LabHost router = site.router();
            String wan = "2001:db8::" + (10 + n);
            String lanPrefix = (nat66 ? "fd00:" : "2001:db8:") + n + "::";
            router.exec(SETUP_TIMEOUT, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").orThrow();
            ip(router, "-6", "addr", "add", wan + "/64", "dev", "wan", "nodad");
            router.ipv6Address(address(wan));
            ip(router, "-6", "addr", "add", lanPrefix + "1/64", "dev", "lan", "nodad");
            ip(router, "-6", "route", "add", "default", "via", INTERNET_IPV6);
            if (nat66) {
                nft(router, NatRules.nat66());
            } else {
                ip(internet, "-6", "route", "add", lanPrefix + "/64", "via", wan);
            }
            nft(router, upnp ? NatRules.ipv6FirewallWithPinholes() : NatRules.ipv6Firewall());
            int j = 1;
            for (LabHost host : site.hosts()) {
                String address = lanPrefix + (1 + j++);
                ip(host, "-6", "addr", "add", address + "/64", "dev", "eth0", "nodad");
                ip(host, "-6", "route", "add", "default", "via", lanPrefix + "1");
                host.ipv6Address(address(address));
            }
            if (upnp) {
                // it looks for the LAN's IPv6 address only when it starts, and serves IPv4 alone without one
                MiniUpnpd.restart(router, "192.168." + n + ".0/24", false);
            }
            LOG.info("lab {}: {} is dual-stack, LAN {}/64{}", prefix, site, lanPrefix, nat66 ? " behind NAT66" : "");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a {@linkplain #publicHost() public host} IPv6 beside its IPv4 address:
     * {@code 2001:db8::(100+K)} on the internet segment, no firewall, as its IPv4 side has none.
     */
    public void dualStack(LabHost publicHost) throws LabException {
        String v4 = publicHost.address().getHostAddress();
        if (!publicHost.namespace().startsWith(prefix + "-p") || !v4.startsWith("203.0.113.1")) {
            throw new IllegalArgumentException(publicHost.namespace() + " is not a public host of this lab");
        }
        lock.lock();
        try {
            buildIpv6Internet();
            String address = "2001:db8::" + v4.substring(v4.lastIndexOf('.') + 1);
            ip(publicHost, "-6", "addr", "add", address + "/64", "dev", "eth0", "nodad");
            ip(publicHost, "-6", "route", "add", "default", "via", INTERNET_IPV6);
            publicHost.ipv6Address(address(address));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes IPv4 away from the hosts of a {@linkplain #dualStack(Site) dual-stack} site, as a mobile
     * network or an IPv6-only home line with no IPv4 service leaves them: their IPv4 address and
     * routes are removed ({@link LabHost#address()} then names an address they no longer have).
     */
    public void ipv6Only(Site site) throws LabException {
        lock.lock();
        try {
            for (LabHost host : site.hosts()) {
                if (host.ipv6Address().isEmpty()) {
                    throw new IllegalStateException(host.namespace() + " has no IPv6 address: call dualStack(site) first");
                }
                ip(host, "-4", "addr", "flush", "dev", "eth0");
            }
        } finally {
            lock.unlock();
        }
    }

    /** The internet namespace routes IPv6 between dual-stack sites (once, for the first of them). */
    private void buildIpv6Internet() throws LabException {
        if (ipv6Internet) {
            return;
        }
        internet.exec(SETUP_TIMEOUT, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").orThrow();
        ip(internet, "-6", "addr", "add", INTERNET_IPV6 + "/64", "dev", "br0", "nodad");
        ipv6Internet = true;
    }

    /** A host on the internet segment with its own public address (203.0.113.101, .102, ...), no NAT. */
    public LabHost publicHost() throws LabException {
        lock.lock();
        try {
            int k = ++publicHosts;
            String address = "203.0.113." + (100 + k);
            LabHost host = newNamespace(prefix + "-p" + k, address);
            attachToInternet(host, "eth0", address);
            return host;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A host whose traffic meets a NAT of {@code kind} on its way to the internet: the host of a new
     * {@link #site} of that kind, or for {@link NatKind#NONE} a new {@link #publicHost()}. For code that
     * treats every kind alike (a matrix of NAT pairs); use {@link #site} to reach the router too.
     */
    public LabHost hostBehind(NatKind kind) throws LabException {
        return kind == NatKind.NONE ? publicHost() : site(kind).host();
    }

    /**
     * Drops {@code percent} % of TCP and UDP packets at random, each way: on a router, the packets
     * it forwards; on any other namespace, those through its {@code eth0} (internet: {@code br0}).
     * 0 removes the loss. Senders see no error, as on a real lossy link. Also turns segmentation
     * offloads off there, so TCP loss counts per packet, not per 64 KiB burst.
     */
    public void lossPercent(LabHost host, int percent) throws LabException {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent is 0 to 100: " + percent);
        }
        boolean router = routers.contains(host.namespace());
        host.exec(SETUP_TIMEOUT, "nft", "delete", "table", router ? "inet" : "netdev", "crust_loss"); // absent at first
        if (percent > 0) {
            String device = host == internet ? "br0" : "eth0";
            nft(host, router ? NatRules.routerLoss(percent) : NatRules.hostLoss(percent, device));
            for (String line : host.exec(SETUP_TIMEOUT, "ip", "-o", "link", "show").orThrow().stdout().split("\n")) {
                String[] fields = line.split(":\\s+", 3);
                if (fields.length >= 2 && !fields[1].startsWith("lo")) {
                    host.exec(SETUP_TIMEOUT, "ethtool", "-K", fields[1].split("@")[0], "tso", "off", "gso", "off", "gro", "off");
                }
            }
        }
    }

    /** As {@link #lossPercent(LabHost, int)} on the site's (home) router. */
    public void lossPercent(Site site, int percent) throws LabException {
        lossPercent(site.router(), percent);
    }

    /**
     * Joins {@code a} and {@code b} by an emulated point-to-point link shaped by {@code shape}:
     * addresses 10.99.K.1 (a) and 10.99.K.2 (b). Needs python3 and /dev/net/tun.
     */
    public TunLink tunLink(LabHost a, LabHost b, LinkShape shape) throws LabException {
        lock.lock();
        try {
            int k = tunLinks.size() + 1;
            String nameA = "tl" + k + "a";
            String nameB = "tl" + k + "b";
            String addressA = "10.99." + k + ".1";
            String addressB = "10.99." + k + ".2";
            List<String> command = new ArrayList<>(List.of(python(), "-u", emulatorScript().toString(),
                    "--name-a", nameA, "--name-b", nameB, "--netns-b", b.namespace()));
            command.addAll(shape.flags());
            LabProcess emulator = a.start(command);
            emulator.awaitLine(line -> line.startsWith("READY"), SETUP_TIMEOUT);
            // IPv4 only: IPv6 autoconfiguration chatter would show up in the emulator's counters.
            a.exec(SETUP_TIMEOUT, "sysctl", "-qw", "net.ipv6.conf." + nameA + ".disable_ipv6=1");
            b.exec(SETUP_TIMEOUT, "sysctl", "-qw", "net.ipv6.conf." + nameB + ".disable_ipv6=1");
            ip(a, "addr", "add", addressA, "peer", addressB, "dev", nameA);
            ip(a, "link", "set", nameA, "up");
            ip(b, "addr", "add", addressB, "peer", addressA, "dev", nameB);
            ip(b, "link", "set", nameB, "up");
            TunLink link = new TunLink(a, b, address(addressA), address(addressB), shape, emulator);
            tunLinks.add(link);
            return link;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Kills every process the lab started, deletes every namespace (with its interfaces and nft
     * tables), and checks that none is left. Safe to call twice.
     */
    @Override
    public void close() throws LabException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // called from the hook itself
            }
            tunLinks.forEach(TunLink::close);
            processes.reversed().forEach(LabProcess::close);
            List<String> failures = new ArrayList<>();
            for (String namespace : namespaces.reversed()) {
                try {
                    StaleLabs.killProcessesIn(namespace);
                    Commands.check("ip", "netns", "delete", namespace);
                } catch (LabException e) {
                    failures.add(e.getMessage());
                }
            }
            List<String> left = Commands.check("ip", "netns", "list").stdout().lines()
                    .filter(line -> line.startsWith(prefix + "-")).toList();
            if (!left.isEmpty() || !failures.isEmpty()) {
                throw new LabException("lab " + prefix + " not fully removed; left: " + left + "; errors: " + failures);
            }
            StaleLabs.unregister(prefix);
            LOG.info("NAT lab {} removed", prefix);
        } finally {
            lock.unlock();
        }
    }

    LabProcess register(LabProcess process) {
        lock.lock();
        try {
            if (closed) {
                process.close();
                throw new IllegalStateException("lab " + prefix + " is closed");
            }
            processes.add(process);
            return process;
        } finally {
            lock.unlock();
        }
    }

    LabHost addHost(Site site) throws LabException {
        lock.lock();
        try {
            int n = site.index();
            int j = site.hosts().size() + 1;
            String address = "192.168." + n + "." + (1 + j);
            LabHost host = newNamespace(prefix + "-h" + n + (j == 1 ? "" : "-" + j), address);
            veth(site.router(), "lp" + j, null, host, "eth0", address + "/24");
            ip(site.router(), "link", "set", "lp" + j, "master", "lan");
            ip(host, "route", "add", "default", "via", site.gateway().getHostAddress());
            site.addHostRecord(host);
            return host;
        } finally {
            lock.unlock();
        }
    }

    private void buildInternet() throws LabException {
        internet = newNamespace(prefix + "-inet", INTERNET_PRIMARY);
        bridge(internet, "br0");
        ip(internet, "link", "set", "br0", "up");
        ip(internet, "addr", "add", INTERNET_PRIMARY + "/24", "dev", "br0");
        ip(internet, "addr", "add", INTERNET_SECONDARY + "/24", "dev", "br0");
    }

    private LabHost newNamespace(String name, String address) throws LabException {
        Commands.check("ip", "netns", "add", name);
        namespaces.add(name);
        LabHost host = new LabHost(this, name, address(address));
        ip(host, "link", "set", "lo", "up");
        return host;
    }

    /** Plugs a new interface {@code device} of {@code host} into the internet bridge. */
    /**
     * Adds a bridge with a fixed address. A Linux bridge left to choose takes the lowest address of
     * its ports and changes it when a port with a lower one joins; neighbours that cached the old
     * address then send frames the bridge no longer accepts, and the path is dead until their ARP
     * entry expires (seen as a UPnP site losing 203.0.113.1 once a later site joined the internet).
     */
    private static void bridge(LabHost host, String name) throws LabException {
        byte[] mac = new byte[6];
        ThreadLocalRandom.current().nextBytes(mac);
        mac[0] = (byte) ((mac[0] & 0xFC) | 0x02); // locally administered, unicast
        StringBuilder text = new StringBuilder();
        for (byte b : mac) {
            text.append(text.isEmpty() ? "" : ":").append(String.format(Locale.ROOT, "%02x", b));
        }
        ip(host, "link", "add", name, "address", text.toString(), "type", "bridge");
    }

    private void attachToInternet(LabHost host, String device, String address) throws LabException {
        String port = "p" + (++bridgePorts);
        veth(internet, port, null, host, device, address + "/24");
        ip(internet, "link", "set", port, "master", "br0");
        ip(host, "route", "add", "default", "via", INTERNET_PRIMARY);
    }

    private void veth(LabHost left, String leftName, String leftCidr, LabHost right, String rightName, String rightCidr)
            throws LabException {
        Commands.check("ip", "link", "add", leftName, "netns", left.namespace(), "type", "veth",
                "peer", "name", rightName, "netns", right.namespace());
        if (leftCidr != null) {
            ip(left, "addr", "add", leftCidr, "dev", leftName);
        }
        ip(left, "link", "set", leftName, "up");
        if (rightCidr != null) {
            ip(right, "addr", "add", rightCidr, "dev", rightName);
        }
        ip(right, "link", "set", rightName, "up");
    }

    private static void ip(LabHost host, String... args) throws LabException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", host.namespace()));
        command.addAll(List.of(args));
        Commands.run(SETUP_TIMEOUT, null, command).orThrow();
    }

    private static void nft(LabHost host, String rules) throws LabException {
        host.execWithInput(SETUP_TIMEOUT, rules, "nft", "-f", "-").orThrow();
    }

    private static void enableForwarding(LabHost router) throws LabException {
        router.exec(SETUP_TIMEOUT, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
    }

    private static void awaitUdpListeners(LabHost host, List<String> endpoints) throws LabException {
        long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
        String listening = "";
        while (System.nanoTime() - deadline < 0) {
            listening = host.exec(SETUP_TIMEOUT, "ss", "-Hlun").orThrow().stdout();
            String seen = listening;
            if (endpoints.stream().allMatch(seen::contains)) {
                return;
            }
            try {
                Thread.sleep(50); // polling a daemon we cannot ask; no event to await
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted", e);
            }
        }
        throw new LabException("no UDP listeners " + endpoints + " in " + host.namespace() + ": " + listening);
    }

    private Path emulatorScript() throws LabException {
        Path script = logDirectory.resolve("tunlink.py");
        if (!Files.exists(script)) {
            try (InputStream in = NatLab.class.getResourceAsStream("tunlink.py")) {
                if (in == null) {
                    throw new LabException("tunlink.py missing from the crust-testkit jar");
                }
                Files.copy(in, script);
            } catch (IOException e) {
                throw new LabException("cannot write " + script, e);
            }
        }
        return script;
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private void closeQuietly() {
        try {
            close();
        } catch (LabException | RuntimeException e) {
            LOG.warn("closing NAT lab {}", prefix, e);
        }
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static String uniquePrefix() throws LabException {
        String existing = Commands.check("ip", "netns", "list").stdout();
        while (true) {
            String candidate = "cr" + Long.toString(ProcessHandle.current().pid() % 1000, 36)
                    + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
            if (!existing.contains(candidate + "-")) {
                return candidate;
            }
        }
    }

    private static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "needs Linux network namespaces";
        }
        try {
            String uid = Commands.check("id", "-u").stdout().strip();
            if (!uid.equals("0")) {
                return "needs root (uid is " + uid + ")";
            }
        } catch (LabException e) {
            return "needs root: " + e.getMessage();
        }
        // What every lab uses; the others (stund, miniupnpd, ethtool, python3, tc...) are checked when run.
        List<String> missing = LabTools.missing(List.of("ip", "nft", "sysctl", "ss"));
        if (!missing.isEmpty()) {
            return "missing " + LabTools.describe(missing);
        }
        // Root in a container may still lack the right to make namespaces or nft tables: try both.
        String probe = "crcheck" + ProcessHandle.current().pid();
        try {
            Commands.check("ip", "netns", "add", probe);
            try {
                Commands.check("ip", "netns", "exec", probe, "nft", "list", "tables");
            } finally {
                Commands.check("ip", "netns", "delete", probe);
            }
            return null;
        } catch (LabException e) {
            return "cannot create a network namespace with nftables in it: " + e.getMessage();
        }
    }
}
