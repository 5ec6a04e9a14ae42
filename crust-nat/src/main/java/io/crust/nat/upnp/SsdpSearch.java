package io.crust.nat.upnp;

import io.crust.nat.NatException;
import io.crust.nat.gateway.AddressKinds;
import io.crust.nat.gateway.MalformedPacketException;
import io.crust.nat.upnp.SsdpMessages.SearchResponse;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SSDP searches for IGD:2 and IGD:1 and collects the answers, within a time bound. The edge of
 * {@link SsdpMessages}.
 *
 * <p>Trust: any host on the LAN can answer SSDP. An answer is kept only when its LOCATION host is the
 * address the answer came from and lies on one of this host's subnets; a LOCATION pointing elsewhere (a
 * public server, another network) is refused, so a forged answer cannot make us send HTTP off the LAN.
 */
final class SsdpSearch {
    private static final Logger LOG = LoggerFactory.getLogger(SsdpSearch.class);
    /** After the first usable answer, wait this much longer for others (a second IGD, the IGD:2 answer). */
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

    /** A usable answer. */
    record Found(SearchResponse response, InetAddress from) {
    }

    private SsdpSearch() {
    }

    static List<Found> search(InetSocketAddress target, Duration timeout) throws NatException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long resendAt = start + timeout.toNanos() / 3;
        boolean resent = false;
        List<Found> found = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<String> refused = new ArrayList<>();
        String host = target.getAddress().getHostAddress() + ":" + target.getPort();
        int mx = (int) Math.max(1, Math.min(5, timeout.toSeconds()));
        try (DatagramSocket socket = new DatagramSocket()) {
            sendSearches(socket, target, host, mx);
            byte[] buffer = new byte[SsdpMessages.MAX_RESPONSE_BYTES + 1];
            long gatherUntil = Long.MAX_VALUE;
            while (true) {
                long now = System.nanoTime();
                long until = Math.min(deadline, gatherUntil);
                if (now >= until) {
                    break;
                }
                if (!resent && now >= resendAt && found.isEmpty()) {
                    sendSearches(socket, target, host, mx); // UDP may lose the first one
                    resent = true;
                }
                long waitUntil = resent || !found.isEmpty() ? until : Math.min(until, resendAt);
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitUntil - now)));
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                try {
                    SearchResponse r = SsdpMessages.decode(ByteBuffer.wrap(buffer, 0, packet.getLength()));
                    InetAddress from = packet.getAddress();
                    String problem = trustProblem(r, from);
                    if (problem != null) {
                        refused.add(problem);
                        LOG.warn("ignoring SSDP answer from {}: {}", from.getHostAddress(), problem);
                    } else if (seen.add(r.location().toString())) {
                        found.add(new Found(r, from));
                        gatherUntil = Math.min(gatherUntil, System.nanoTime() + GATHER_NANOS);
                    }
                } catch (MalformedPacketException e) {
                    LOG.debug("ignoring malformed SSDP answer from {}: {}", packet.getAddress(), e.getMessage());
                    refused.add("malformed answer: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new NatException("SSDP search to " + host + " failed: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new NatException("no UPnP Internet Gateway Device answered SSDP within " + timeout.toMillis() + " ms"
                    + (refused.isEmpty() ? "" : " (refused: " + String.join("; ", refused) + ")"));
        }
        return found;
    }

    private static void sendSearches(DatagramSocket socket, InetSocketAddress target, String host, int mx)
            throws IOException {
        for (String st : new String[] {SsdpMessages.IGD_V2, SsdpMessages.IGD_V1}) {
            byte[] search = SsdpMessages.search(host, mx, st);
            socket.send(new DatagramPacket(search, search.length, target));
        }
    }

    /** Why this answer's description URL must not be fetched, or null when it may. */
    static String trustProblem(SearchResponse r, InetAddress from) {
        String locationHost = r.location().getHost();
        if (!locationHost.equals(from.getHostAddress())) {
            return "refused description URL " + r.location() + ": its host is not the answering device " + from.getHostAddress();
        }
        if (!AddressKinds.isOnLocalSubnet(from)) {
            return "refused description URL " + r.location() + ": " + locationHost + " is not on a local subnet";
        }
        return null;
    }
}
