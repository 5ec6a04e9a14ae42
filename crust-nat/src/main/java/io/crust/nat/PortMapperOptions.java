package io.crust.nat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings for {@link PortMapper}: where the gateway is and how long each protocol may try.
 *
 * <p>Defaults follow the RFCs but bound every exchange in time: NAT-PMP retransmits after 250 ms and
 * doubles (RFC 6886 section 3.1), PCP starts at 3 s (RFC 6887 section 8.1.1); both stop after
 * {@link #maxAttempts()} sends or {@link #exchangeTimeout()}, whichever comes first. UPnP discovery waits
 * {@link #discoveryTimeout()} for SSDP answers. Mappings are checked every {@link #checkInterval()} between
 * renewals, and restart announcements are heard on port {@link #announcementPort()}. Immutable; the
 * {@code with...} methods return copies.
 */
public final class PortMapperOptions {
    /** The UDP port of NAT-PMP and PCP servers (RFC 6886, RFC 6887). */
    public static final int GATEWAY_PORT = 5351;
    /** The SSDP multicast group and port (UPnP Device Architecture 1.1, section 1). */
    public static final InetSocketAddress SSDP_GROUP = new InetSocketAddress(ssdpGroupAddress(), 1900);

    private final InetAddress gateway;
    private final int gatewayPort;
    private final int maxAttempts;
    private final Duration initialRetransmit;
    private final Duration exchangeTimeout;
    private final Duration discoveryTimeout;
    private final Duration httpTimeout;
    private final InetSocketAddress ssdpTarget;
    private final String description;
    private final Duration checkInterval;
    private final int announcementPort;

    private PortMapperOptions(InetAddress gateway, int gatewayPort, int maxAttempts, Duration initialRetransmit,
            Duration exchangeTimeout, Duration discoveryTimeout, Duration httpTimeout, InetSocketAddress ssdpTarget,
            String description, Duration checkInterval, int announcementPort) {
        this.gateway = gateway;
        this.gatewayPort = gatewayPort;
        this.maxAttempts = maxAttempts;
        this.initialRetransmit = initialRetransmit;
        this.exchangeTimeout = exchangeTimeout;
        this.discoveryTimeout = discoveryTimeout;
        this.httpTimeout = httpTimeout;
        this.ssdpTarget = ssdpTarget;
        this.description = description;
        this.checkInterval = checkInterval;
        this.announcementPort = announcementPort;
    }

    /** The port NAT-PMP and PCP gateways announce a restart to, on 224.0.0.1 (RFC 6886 section 3.2.1, RFC 6887 section 14.1). */
    public static final int ANNOUNCEMENT_PORT = 5350;
    /** How often a mapping is checked between renewals by default: see {@link #withCheckInterval}. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(10);

    /**
     * Gateway from the routing table, RFC retry schedules capped at 9 sends or 10 s, 3 s SSDP discovery, a
     * check of each mapping every 10 s and a listener for restart announcements on port {@value #ANNOUNCEMENT_PORT}.
     */
    public static PortMapperOptions defaults() {
        return new PortMapperOptions(null, GATEWAY_PORT, 9, null, Duration.ofSeconds(10), Duration.ofSeconds(3),
                Duration.ofSeconds(5), SSDP_GROUP, "crust", DEFAULT_CHECK_INTERVAL, ANNOUNCEMENT_PORT);
    }

    /** The NAT-PMP/PCP gateway; {@code null} (default) reads the default route from {@code /proc/net/route}. */
    public PortMapperOptions withGateway(InetAddress gateway) {
        return new PortMapperOptions(gateway, gatewayPort, maxAttempts, initialRetransmit, exchangeTimeout,
                discoveryTimeout, httpTimeout, ssdpTarget, description, checkInterval, announcementPort);
    }

    /** The gateway's NAT-PMP/PCP port; only tests and unusual gateways change the default {@value #GATEWAY_PORT}. */
    public PortMapperOptions withGatewayPort(int port) {
        checkPort(port);
        return new PortMapperOptions(gateway, port, maxAttempts, initialRetransmit, exchangeTimeout,
                discoveryTimeout, httpTimeout, ssdpTarget, description, checkInterval, announcementPort);
    }

    /** How many times a NAT-PMP or PCP request is sent before giving up (RFC 6886 says 9). */
    public PortMapperOptions withMaxAttempts(int attempts) {
        if (attempts < 1 || attempts > 16) {
            throw new IllegalArgumentException("attempts must be 1..16: " + attempts);
        }
        return new PortMapperOptions(gateway, gatewayPort, attempts, initialRetransmit, exchangeTimeout,
                discoveryTimeout, httpTimeout, ssdpTarget, description, checkInterval, announcementPort);
    }

    /** The first retransmission timeout; {@code null} means the RFC value (250 ms NAT-PMP, 3 s PCP). */
    public PortMapperOptions withInitialRetransmit(Duration initial) {
        if (initial != null && (initial.isNegative() || initial.isZero())) {
            throw new IllegalArgumentException("initial retransmit must be positive: " + initial);
        }
        return new PortMapperOptions(gateway, gatewayPort, maxAttempts, initial, exchangeTimeout, discoveryTimeout,
                httpTimeout, ssdpTarget, description, checkInterval, announcementPort);
    }

    /** The upper bound on one NAT-PMP or PCP request, all retransmissions included. */
    public PortMapperOptions withExchangeTimeout(Duration timeout) {
        return new PortMapperOptions(gateway, gatewayPort, maxAttempts, initialRetransmit, positive(timeout),
                discoveryTimeout, httpTimeout, ssdpTarget, description, checkInterval, announcementPort);
    }

    /** How long SSDP discovery waits for an Internet Gateway Device to answer. */
    public PortMapperOptions withDiscoveryTimeout(Duration timeout) {
        return new PortMapperOptions(gateway, gatewayPort, maxAttempts, initialRetransmit, exchangeTimeout,
                positive(timeout), httpTimeout, ssdpTarget, description, checkInterval, announcementPort);
    }

    /** The bound on each UPnP HTTP exchange (description fetch, SOAP call), connect included. */
    public PortMapperOptions withHttpTimeout(Duration timeout) {
        return new PortMapperOptions(gateway, gatewayPort, maxAttempts, initialRetransmit, exchangeTimeout,
                discoveryTimeout, positive(timeout), ssdpTarget, description, checkInterval, announcementPort);
    }

    /** Where M-SEARCH requests go; default {@link #SSDP_GROUP}. Tests point it at a unicast responder. */
    public PortMapperOptions withSsdpTarget(InetSocketAddress target) {
        return new PortMapperOptions(gateway, gatewayPort, maxAttempts, initialRetransmit, exchangeTimeout,
                discoveryTimeout, httpTimeout, Objects.requireNonNull(target), description, checkInterval, announcementPort);
    }

    /** The UPnP NewPortMappingDescription; default {@code crust}. */
    public PortMapperOptions withDescription(String text) {
        if (text.length() > 64 || !text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("description must be up to 64 printable ASCII characters");
        }
        return new PortMapperOptions(gateway, gatewayPort, maxAttempts, initialRetransmit, exchangeTimeout,
                discoveryTimeout, httpTimeout, ssdpTarget, text, checkInterval, announcementPort);
    }

    /**
     * How often each mapping is checked between renewals, so that a gateway that rebooted and lost its table
     * gets the mapping back within about this long instead of at the next renewal: NAT-PMP asks for the
     * external address and PCP sends ANNOUNCE (each answer carries the gateway's epoch), UPnP reads the
     * mapping back with GetSpecificPortMappingEntry. {@link Duration#ZERO} turns the checks off.
     */
    public PortMapperOptions withCheckInterval(Duration interval) {
        if (interval.isNegative() || (!interval.isZero() && interval.compareTo(Duration.ofMillis(100)) < 0)) {
            throw new IllegalArgumentException("check interval must be zero (off) or at least 100 ms: " + interval);
        }
        return new PortMapperOptions(gateway, gatewayPort, maxAttempts, initialRetransmit, exchangeTimeout,
                discoveryTimeout, httpTimeout, ssdpTarget, description, interval, announcementPort);
    }

    /**
     * The UDP port on which a NAT-PMP or PCP mapper listens for the gateway's restart announcements (sent to
     * 224.0.0.1); default {@value #ANNOUNCEMENT_PORT}, 0 turns the listener off (the periodic check remains).
     */
    public PortMapperOptions withAnnouncementPort(int port) {
        if (port != 0) {
            checkPort(port);
        }
        return new PortMapperOptions(gateway, gatewayPort, maxAttempts, initialRetransmit, exchangeTimeout,
                discoveryTimeout, httpTimeout, ssdpTarget, description, checkInterval, port);
    }

    /** {@link Duration#ZERO} when mappings are only renewed, never checked in between. */
    public Duration checkInterval() {
        return checkInterval;
    }

    /** 0 when no restart announcements are listened for. */
    public int announcementPort() {
        return announcementPort;
    }

    public InetAddress gateway() {
        return gateway;
    }

    public int gatewayPort() {
        return gatewayPort;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** {@code null} when the protocol's RFC value applies. */
    public Duration initialRetransmit() {
        return initialRetransmit;
    }

    public Duration exchangeTimeout() {
        return exchangeTimeout;
    }

    public Duration discoveryTimeout() {
        return discoveryTimeout;
    }

    public Duration httpTimeout() {
        return httpTimeout;
    }

    public InetSocketAddress ssdpTarget() {
        return ssdpTarget;
    }

    public String description() {
        return description;
    }

    private static Duration positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + d);
        }
        return d;
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    private static InetAddress ssdpGroupAddress() {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 239, (byte) 255, (byte) 255, (byte) 250});
        } catch (java.net.UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
