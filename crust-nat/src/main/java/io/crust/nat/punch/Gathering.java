package io.crust.nat.punch;

import io.crust.nat.Candidate;
import io.crust.nat.DatagramPort;
import io.crust.nat.PunchOffer;
import io.crust.nat.StunClient;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Candidate gathering (RFC 8445 section 5.1.1) for {@link io.crust.nat.HolePuncher#gather}. */
public final class Gathering {
    private static final Logger LOG = LoggerFactory.getLogger(Gathering.class);

    /** The most host candidates of each address family an offer carries. */
    static final int HOSTS_PER_FAMILY = 4;

    private Gathering() {
    }

    public static PunchOffer gather(DatagramPort port, List<InetSocketAddress> stunServers, List<Candidate> extra,
            Duration timeout) throws IOException {
        List<Candidate> candidates = new ArrayList<>(hostCandidates(port.localAddress()));
        // Mapped candidates first: a gateway that keeps the port maps to the reflexive address too,
        // and the mapped kind (no filtering in the way) is the one worth its priority.
        for (Candidate c : extra) {
            if (candidates.stream().noneMatch(k -> k.address().equals(c.address()))) {
                candidates.add(c);
            }
        }
        List<InetSocketAddress> askable = new ArrayList<>();
        for (InetSocketAddress server : stunServers) {
            // No address of that family here (bound to an IPv4 address, or no IPv6 on the host): the
            // request could not leave, and an answer would name no address of ours.
            if (hasFamilyOf(candidates, server)) {
                askable.add(server);
            }
        }
        Map<InetSocketAddress, StunClient.Binding> answered = new StunClient(port).bindings(askable, timeout);
        List<StunClient.Binding> answers = new ArrayList<>(answered.values());
        List<InetSocketAddress> answeredBy = new ArrayList<>(answered.keySet());
        boolean dependent = false;
        for (int i = 0; i < answers.size(); i++) {
            InetSocketAddress mapped = answers.get(i).mapped();
            if (candidates.stream().noneMatch(c -> c.address().equals(mapped))) {
                candidates.add(Candidate.of(Candidate.Type.SERVER_REFLEXIVE, mapped, 65535 - i));
            }
            for (int j = 0; j < i; j++) {
                // Only answers of one family say something about the mapping: an IPv4 and an IPv6
                // reflexive address always differ.
                boolean sameFamily = answers.get(j).mapped().getAddress().getClass() == mapped.getAddress().getClass();
                boolean differentServerIp = !answeredBy.get(i).getAddress().equals(answeredBy.get(j).getAddress());
                if (sameFamily && differentServerIp && !answers.get(j).mapped().equals(mapped)) {
                    dependent = true;
                }
            }
        }
        if (candidates.size() > PunchOffer.MAX_CANDIDATES) {
            candidates = candidates.subList(0, PunchOffer.MAX_CANDIDATES);
        }
        return PunchOffer.create(candidates, dependent);
    }

    /** True when some candidate has the address family of {@code server}. */
    private static boolean hasFamilyOf(List<Candidate> candidates, InetSocketAddress server) {
        Class<?> family = server.getAddress().getClass();
        return candidates.stream().anyMatch(c -> c.address().getAddress().getClass() == family);
    }

    /**
     * The bound address, or when bound to the wildcard every up, non-loopback interface address a peer
     * elsewhere could reach: IPv4 ones and global or unique-local IPv6 ones (at most
     * {@value #HOSTS_PER_FAMILY} of each), IPv6 first and the families interleaved in priority, so that
     * checks of one family never all wait behind the other's (RFC 8421, which asks ICE agents to mix the
     * address families for this reason). A link-local address is left out: it needs a scope that only
     * this host knows.
     */
    static List<Candidate> hostCandidates(InetSocketAddress bound) throws IOException {
        if (!bound.getAddress().isAnyLocalAddress()) {
            return List.of(Candidate.host(bound));
        }
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress ip : Collections.list(nif.getInetAddresses())) {
                if (ip instanceof Inet4Address && v4.size() < HOSTS_PER_FAMILY) {
                    v4.add(ip);
                } else if (ip instanceof Inet6Address && reachableIpv6(ip) && v6.size() < HOSTS_PER_FAMILY) {
                    v6.add(InetAddress.getByAddress(ip.getAddress())); // without the interface's scope
                }
            }
        }
        return interleaved(v6, v4, bound.getPort());
    }

    /** Host candidates on {@code port}, IPv6 and IPv4 in turn, IPv6 first, in falling local preference. */
    static List<Candidate> interleaved(List<InetAddress> v6, List<InetAddress> v4, int port) {
        List<Candidate> hosts = new ArrayList<>();
        int preference = 65535;
        for (int i = 0; i < Math.max(v4.size(), v6.size()); i++) {
            for (List<InetAddress> family : List.of(v6, v4)) {
                if (i < family.size()) {
                    hosts.add(Candidate.of(Candidate.Type.HOST, new InetSocketAddress(family.get(i), port), preference--));
                }
            }
        }
        return hosts;
    }

    /** Global unicast or unique-local (fc00::/7): not link-local, site-local (deprecated), loopback or multicast. */
    static boolean reachableIpv6(InetAddress ip) {
        return !ip.isLinkLocalAddress() && !ip.isSiteLocalAddress() && !ip.isLoopbackAddress() && !ip.isMulticastAddress()
                && !ip.isAnyLocalAddress();
    }

}
