package io.crust.nat.upnp;

import io.crust.nat.IpLiteral;
import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.AddressKinds;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.Grant;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UPnP port mapping through {@link IgdActions} (WANIPConnection:1/2, WANPPPConnection:1 AddPortMapping, AddAnyPortMapping,
 * GetSpecificPortMappingEntry, DeletePortMapping).
 *
 * <p>Acquire: GetExternalIPAddress, then AddPortMapping on the wanted port. On 718 ConflictInMappingEntry,
 * IGD:2 gets AddAnyPortMapping (the IGD picks a free port); IGD:1 gets a few random ports. On 725
 * OnlyPermanentLeasesSupported the lease becomes 0 (permanent; {@link #release()} still deletes it). On 724
 * SamePortValuesRequired the external port becomes the internal one. The mapping is then read back with
 * GetSpecificPortMappingEntry and must name our address and port. Renewal repeats AddPortMapping for the
 * same port, which refreshes the lease (IGD:1 section 2.4.16); it is due at three quarters of the lease.
 */
final class UpnpLease implements GatewayLease {
    private static final Logger LOG = LoggerFactory.getLogger(UpnpLease.class);
    private static final int MAX_TRIES = 5;

    private final IgdActions actions;
    private final InetAddress internalClient;
    private final IpProtocol transport;
    private final int internalPort;
    private final String description;
    private final SecureRandom random = new SecureRandom();
    private long leaseSeconds;
    private int externalPort;
    private boolean mapped;

    UpnpLease(UpnpSession.Gateway gateway, IpProtocol transport, int internalPort, int requestedExternalPort,
            long leaseSeconds, String description) {
        this.actions = gateway.actions();
        this.internalClient = gateway.internalClient();
        this.transport = transport;
        this.internalPort = internalPort;
        this.externalPort = requestedExternalPort != 0 ? requestedExternalPort : internalPort;
        this.leaseSeconds = leaseSeconds;
        this.description = description;
    }

    @Override
    public Grant acquire() throws NatException {
        InetAddress external = externalAddress();
        addWithFallbacks();
        mapped = true;
        try {
            verify();
        } catch (NatException e) {
            try {
                release();
            } catch (NatException ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        }
        Duration lifetime = Duration.ofSeconds(leaseSeconds);
        boolean doubleNat = AddressKinds.isPrivate(external);
        if (doubleNat) {
            LOG.warn("UPnP IGD's external address {} is private: another NAT is upstream (double NAT)", external.getHostAddress());
        }
        return new Grant(MappingProtocol.UPNP, new InetSocketAddress(external, externalPort), lifetime,
                lifetime.multipliedBy(3).dividedBy(4), false, doubleNat);
    }

    private void addWithFallbacks() throws NatException {
        for (int attempt = 1; ; attempt++) {
            try {
                add();
                return;
            } catch (UpnpActionException e) {
                if (attempt >= MAX_TRIES) {
                    throw e;
                }
                switch (e.errorCode()) {
                    case UpnpActionException.CONFLICT_IN_MAPPING_ENTRY -> {
                        if (actions.hasAddAny()) {
                            addAny();
                            return;
                        }
                        int taken = externalPort;
                        externalPort = 1024 + random.nextInt(65536 - 1024);
                        LOG.info("UPnP port {} is taken (718), trying {}", taken, externalPort);
                    }
                    case UpnpActionException.ONLY_PERMANENT_LEASES_SUPPORTED -> {
                        LOG.info("UPnP IGD only supports permanent leases (725): lease 0, deleted on close");
                        leaseSeconds = 0;
                    }
                    case UpnpActionException.SAME_PORT_VALUES_REQUIRED -> externalPort = internalPort;
                    default -> throw e;
                }
            }
        }
    }

    private InetAddress externalAddress() throws NatException {
        return externalAddress(actions.externalIpAddress());
    }

    /** The gateway's answer to GetExternalIPAddress as an address; a name is refused, never looked up. */
    static InetAddress externalAddress(String ip) throws NatException {
        if (ip == null || ip.indexOf(':') >= 0 || !IpLiteral.isLiteral(ip)) {
            String shown = ip == null || ip.length() > 45 ? "not an IPv4 address" : "\"" + ip.replaceAll("\\p{Cntrl}", "?") + "\"";
            throw new NatException("UPnP IGD reports no usable external address (" + shown + "): is its WAN up?");
        }
        // Built from the literal's bytes: the gateway never makes this node look a name up.
        InetAddress address = IpLiteral.parse(ip);
        if (address.isAnyLocalAddress()) {
            throw new NatException("UPnP IGD reports external address 0.0.0.0: its WAN is not connected");
        }
        return address;
    }

    private IgdActions.Mapping mapping() {
        return new IgdActions.Mapping(transport, externalPort, internalPort, internalClient.getHostAddress(),
                leaseSeconds, description);
    }

    private void add() throws NatException {
        actions.addPortMapping(mapping());
    }

    private void addAny() throws NatException {
        String reserved = actions.addAnyPortMapping(mapping());
        int port = parsePort(reserved, "AddAnyPortMapping NewReservedPort");
        LOG.info("UPnP port {} is taken (718): the IGD reserved {}", externalPort, port);
        externalPort = port;
    }

    private void verify() throws NatException {
        Map<String, String> entry = actions.specificPortMappingEntry(mapping());
        String client = entry.get("NewInternalClient");
        int port = parsePort(entry.get("NewInternalPort"), "GetSpecificPortMappingEntry NewInternalPort");
        if (!internalClient.getHostAddress().equals(client) || port != internalPort) {
            throw new MappingReadsBackWrong("UPnP mapping " + externalPort + " reads back as " + client + ":" + port
                    + ", not " + internalClient.getHostAddress() + ":" + internalPort);
        }
    }

    /**
     * Reads the mapping back with GetSpecificPortMappingEntry: gone when the IGD answers 714
     * NoSuchEntryInArray or names another client or port (someone else took the port after a reboot).
     */
    @Override
    public boolean stillMapped() throws NatException {
        if (!mapped) {
            return false;
        }
        try {
            verify();
            return true;
        } catch (UpnpActionException e) {
            if (e.errorCode() == UpnpActionException.NO_SUCH_ENTRY_IN_ARRAY) {
                return false;
            }
            throw e;
        } catch (MappingReadsBackWrong e) {
            return false;
        }
    }

    private static int parsePort(String text, String what) throws NatException {
        try {
            int port = Integer.parseInt(text == null ? "" : text.trim());
            if (port < 1 || port > 65535) {
                throw new NatException(what + " is out of range: " + port);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new NatException(what + " is not a port: " + text, e);
        }
    }

    @Override
    public void release() throws NatException {
        if (!mapped) {
            return;
        }
        try {
            actions.deletePortMapping(mapping());
        } catch (UpnpActionException e) {
            if (e.errorCode() != UpnpActionException.NO_SUCH_ENTRY_IN_ARRAY) {
                throw e;
            }
        }
        mapped = false;
    }

    /** The IGD holds a mapping on our external port, but for another client or port. */
    private static final class MappingReadsBackWrong extends NatException {
        private static final long serialVersionUID = 1L;

        MappingReadsBackWrong(String message) {
            super(message);
        }
    }
}
