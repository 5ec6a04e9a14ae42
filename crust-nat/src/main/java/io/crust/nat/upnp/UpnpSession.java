package io.crust.nat.upnp;

import io.crust.nat.IpLiteral;
import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.GatewaySession;
import io.crust.nat.gateway.Ipv6Gateway;
import io.crust.nat.gateway.MalformedReplyException;
import io.crust.nat.log.RateLimitedLog;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jupnp.model.message.header.UDADeviceTypeHeader;
import org.jupnp.model.meta.RemoteDevice;
import org.jupnp.model.meta.RemoteService;
import org.jupnp.model.types.ServiceType;
import org.jupnp.model.types.UDADeviceType;
import org.jupnp.model.types.UDAServiceType;
import org.jupnp.registry.DefaultRegistryListener;
import org.jupnp.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UPnP IGD port mapping through jupnp: at the first lease, jupnp is started as a control point, searches
 * by SSDP for IGD:2 and IGD:1, fetches the description and service descriptions of the devices that
 * answer, and the first device with a WAN connection service is used (WANIPConnection:2, then
 * WANIPConnection:1, then WANPPPConnection:1). IPv6 pinholes go through the same device's
 * WANIPv6FirewallControl:1 ({@link FirewallControl}). {@link #close()} shuts jupnp down: its threads, its sockets
 * and the HTTP client.
 */
public final class UpnpSession implements GatewaySession {
    private static final Logger LOG = LoggerFactory.getLogger(UpnpSession.class);
    /** Anything on the LAN can answer an SSDP search as a gateway. */
    private static final RateLimitedLog FOUND_LOG = new RateLimitedLog(LOG);
    /** IGD:2 WANIPConnection allows NewLeaseDuration 0..604800 s (one week); longer asks are cut to that. */
    static final long MAX_LEASE_SECONDS = 604_800;
    private static final List<ServiceType> WAN_SERVICES = List.of(
            new UDAServiceType("WANIPConnection", 2),
            new UDAServiceType("WANIPConnection", 1),
            new UDAServiceType("WANPPPConnection", 1));
    private static final ServiceType FIREWALL_CONTROL = new UDAServiceType("WANIPv6FirewallControl", 1);

    private final PortMapperOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private HttpStreamClient http;
    private ControlPointService upnp;
    private Gateway gateway;
    private boolean closed;

    /**
     * The discovered IGD: its WAN service, the address of ours that it sees, its own address (the
     * LOCATION host, an IP literal that answered the search; null if it were not a literal), and the
     * absolute control URL of its WANIPv6FirewallControl:1 service (null when it offers none).
     */
    record Gateway(IgdActions actions, InetAddress internalClient, InetAddress igd, URL firewallControl) {
    }

    public UpnpSession(PortMapperOptions options) {
        this.options = options;
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.UPNP;
    }

    @Override
    public GatewayLease lease(IpProtocol transport, int internalPort, int requestedExternalPort, long lifetimeSeconds)
            throws NatException {
        return new UpnpLease(gateway(), transport, internalPort, requestedExternalPort,
                Math.min(lifetimeSeconds, MAX_LEASE_SECONDS), options.description());
    }

    /**
     * A pinhole through the IGD's WANIPv6FirewallControl:1. The IGD is found over IPv4 as for a mapping; the
     * actions go to the IPv6 gateway (the default route's, or the options' when IPv6) at the control URL's port
     * and path, from the host's global address, since the IGD opens pinholes only for the address asking. Each
     * lease has its own client (it holds nothing between actions), with the route as it is now.
     */
    @Override
    public GatewayLease pinholeLease(IpProtocol transport, int port, long lifetimeSeconds) throws NatException {
        Gateway g = gateway();
        if (g.firewallControl() == null) {
            throw new NatException("the UPnP IGD at " + (g.igd() == null ? "?" : g.igd().getHostAddress())
                    + " offers no WANIPv6FirewallControl service, so it cannot open IPv6 pinholes");
        }
        Ipv6Gateway route = Ipv6Gateway.find(options.gateway());
        FirewallControl control = new FirewallControl(atIpv6(g.firewallControl(), route.gateway()),
                controlPath(g.firewallControl()), route.host(), options.httpTimeout());
        return new UpnpPinholeLease(control, route.host(), transport, port, lifetimeSeconds);
    }

    /** The IGD's IPv6 address (a link-local one keeps its zone) at the control URL's port. */
    static InetSocketAddress atIpv6(URL controlUrl, Inet6Address igd) throws MalformedReplyException {
        int port = controlUrl.getPort() < 0 ? 80 : controlUrl.getPort();
        if (port < 1 || port > 65535) {
            throw new MalformedReplyException("the IGD's firewall control URL has port " + port + ", not 1..65535");
        }
        return new InetSocketAddress(igd, port);
    }

    /**
     * The control URL's path and query, as the request line carries them: visible ASCII only, at most 1,024
     * characters, so that text from the device description cannot end the request line or add headers.
     */
    static String controlPath(URL controlUrl) throws MalformedReplyException {
        String path = controlUrl.getPath().isEmpty() ? "/" : controlUrl.getPath();
        String target = controlUrl.getQuery() == null ? path : path + "?" + controlUrl.getQuery();
        if (target.length() > 1024 || !target.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new MalformedReplyException("the IGD's firewall control path '" + MalformedReplyException.shown(target)
                    + "' is not up to 1,024 visible ASCII characters");
        }
        return target;
    }

    private Gateway gateway() throws NatException {
        lock.lock();
        try {
            if (closed) {
                throw new NatException("the UPnP session is closed");
            }
            if (gateway == null) {
                gateway = discover();
            }
            return gateway;
        } finally {
            lock.unlock();
        }
    }

    private Gateway discover() throws NatException {
        if (upnp == null) {
            http = new HttpStreamClient(options.httpTimeout());
            upnp = new ControlPointService(new ControlPointConfiguration(http, options.ssdpTarget()), http);
            boolean enabled;
            try {
                upnp.startup();
                enabled = upnp.getRouter().isEnabled();
            } catch (RuntimeException | org.jupnp.transport.RouterException e) {
                throw new NatException("jupnp did not start: " + e.getMessage(), e);
            }
            if (!enabled) {
                throw new NatException("jupnp found no usable network interface for SSDP");
            }
        }
        BlockingQueue<RemoteDevice> found = new LinkedBlockingQueue<>();
        DefaultRegistryListener listener = new DefaultRegistryListener() {
            @Override
            public void remoteDeviceAdded(Registry registry, RemoteDevice device) {
                found.add(device);
            }
        };
        upnp.getRegistry().addListener(listener);
        try {
            for (RemoteDevice known : upnp.getRegistry().getRemoteDevices()) {
                found.add(known);
            }
            long timeoutNanos = options.discoveryTimeout().toNanos();
            long deadline = System.nanoTime() + timeoutNanos;
            long resendAt = System.nanoTime() + timeoutNanos / 3;
            int mx = (int) Math.max(1, Math.min(5, options.discoveryTimeout().toSeconds()));
            search(mx);
            boolean resent = false;
            long problemsBefore = http.problemCount();
            boolean extended = false;
            while (true) {
                long now = System.nanoTime();
                if (now >= deadline && !extended && upnp.acceptedAnswers() > 0) {
                    // an IGD answered and jupnp is still fetching its descriptions: each fetch is bounded by the
                    // HTTP timeout (description, then up to three service descriptions)
                    deadline = now + options.httpTimeout().toNanos() * 4;
                    extended = true;
                }
                if (now >= deadline || extended && http.problemCount() > problemsBefore) {
                    break;
                }
                long until = resent ? deadline : Math.min(deadline, resendAt);
                if (extended) {
                    until = Math.min(deadline, now + TimeUnit.MILLISECONDS.toNanos(100));
                }
                RemoteDevice device = found.poll(until - now, TimeUnit.NANOSECONDS);
                if (device == null) {
                    if (!resent && System.nanoTime() >= resendAt) {
                        search(mx); // UDP may lose the first search
                        resent = true;
                    }
                    continue;
                }
                Gateway usable = usable(device);
                if (usable != null) {
                    return usable;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NatException("interrupted during UPnP discovery", e);
        } finally {
            upnp.getRegistry().removeListener(listener);
        }
        List<String> problems = http.problems();
        long more = http.problemCount() - problems.size();
        String why = problems.isEmpty() ? "" : " (" + String.join("; ", problems) + (more > 0 ? "; and " + more + " more" : "") + ")";
        if (upnp.acceptedAnswers() > 0) {
            throw new NatException("no usable UPnP Internet Gateway Device" + why);
        }
        throw new NatException("no UPnP Internet Gateway Device answered SSDP within "
                + options.discoveryTimeout().toMillis() + " ms" + why);
    }

    private void search(int mx) {
        upnp.getControlPoint().search(new UDADeviceTypeHeader(new UDADeviceType("InternetGatewayDevice", 2)), mx);
        upnp.getControlPoint().search(new UDADeviceTypeHeader(new UDADeviceType("InternetGatewayDevice", 1)), mx);
    }

    /** The device's WAN connection service and our address towards it, or null when it has none. */
    private Gateway usable(RemoteDevice device) throws NatException {
        URL location = device.getIdentity().getDescriptorURL();
        for (ServiceType type : WAN_SERVICES) {
            RemoteService[] services = device.findServices(type);
            if (services != null && services.length > 0) {
                RemoteService service = services[0];
                InetAddress self = localAddressTowards(location);
                FOUND_LOG.info("UPnP IGD at {}: {} (we are {})", location, service.getServiceType(), self.getHostAddress());
                return new Gateway(new IgdActions(upnp.getControlPoint(), http, service), self, literal(location.getHost()),
                        firewallControl(device));
            }
        }
        LOG.debug("UPnP device at {} has no WAN connection service", location);
        return null;
    }

    /** The absolute control URL of the device's WANIPv6FirewallControl:1, or null when it has none. */
    private static URL firewallControl(RemoteDevice device) {
        RemoteService[] services = device.findServices(FIREWALL_CONTROL);
        if (services == null || services.length == 0) {
            return null;
        }
        return services[0].getDevice().normalizeURI(services[0].getControlURI());
    }

    /** The local address the kernel would use to reach the IGD: the NewInternalClient to map to. */
    private static InetAddress localAddressTowards(URL location) throws NatException {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(location.getHost(), location.getPort() < 0 ? 80 : location.getPort()));
            return probe.getLocalAddress();
        } catch (IOException e) {
            throw new NatException("no route to the IGD at " + location.getHost(), e);
        }
    }

    /** Built from the literal's bytes, never looked up; null for anything else. */
    private static InetAddress literal(String host) {
        try {
            return IpLiteral.parse(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The IGD's address, once discovered: a router that runs NAT-PMP or PCP beside UPnP (miniupnpd does)
     * announces its restart from there, and the UPnP mappings are then checked at once.
     */
    @Override
    public InetAddress announcingGateway() {
        lock.lock();
        try {
            return gateway == null ? null : gateway.igd();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (upnp != null) {
                upnp.shutdown(); // registry, jupnp's executors, the router (datagram sockets, HTTP client)
                upnp = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
