package io.crust.nat.punch;

import io.crust.nat.Candidate;
import io.crust.nat.DatagramPort;
import io.crust.nat.PunchOffer;
import io.crust.nat.StunClient;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Candidate gathering (RFC 8445 section 5.1.1) for {@link io.crust.nat.HolePuncher#gather}. */
public final class Gathering {
    private static final Logger log = LoggerFactory.getLogger(Gathering.class);

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
        StunClient client = new StunClient(port);
        List<StunClient.Binding> answers = new ArrayList<>();
        List<InetSocketAddress> answeredBy = new ArrayList<>();
        for (InetSocketAddress server : stunServers) {
            try {
                answers.add(client.binding(server, timeout));
                answeredBy.add(server);
            } catch (io.crust.nat.NatException e) {
                log.debug("gathering: {}", e.getMessage());
            }
        }
        boolean dependent = false;
        for (int i = 0; i < answers.size(); i++) {
            InetSocketAddress mapped = answers.get(i).mapped();
            if (candidates.stream().noneMatch(c -> c.address().equals(mapped))) {
                candidates.add(Candidate.of(Candidate.Type.SERVER_REFLEXIVE, mapped, 65535 - i));
            }
            for (int j = 0; j < i; j++) {
                boolean differentServerIp = !answeredBy.get(i).getAddress().equals(answeredBy.get(j).getAddress());
                if (differentServerIp && !answers.get(j).mapped().equals(mapped)) {
                    dependent = true;
                }
            }
        }
        if (candidates.size() > PunchOffer.MAX_CANDIDATES) {
            candidates = candidates.subList(0, PunchOffer.MAX_CANDIDATES);
        }
        return PunchOffer.create(candidates, dependent);
    }

    /** The bound address, or every up, non-loopback IPv4 address when bound to the wildcard. */
    static List<Candidate> hostCandidates(InetSocketAddress bound) throws IOException {
        if (!bound.getAddress().isAnyLocalAddress()) {
            return List.of(Candidate.host(bound));
        }
        List<Candidate> hosts = new ArrayList<>();
        int preference = 65535;
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress ip : Collections.list(nif.getInetAddresses())) {
                if (ip instanceof Inet4Address && hosts.size() < 4) {
                    hosts.add(Candidate.of(Candidate.Type.HOST, new InetSocketAddress(ip, bound.getPort()), preference--));
                }
            }
        }
        return hosts;
    }
}
