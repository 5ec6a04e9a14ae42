package io.crust.nat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * UDP hole punching in the manner of ICE (RFC 8445), without TURN: both peers gather candidates,
 * swap them with credentials over a {@link OfferExchange}, then send STUN Binding requests
 * ("connectivity checks") to each other's candidates, paced and in priority order, until one
 * pair works both ways. Checks and answers carry USERNAME and MESSAGE-INTEGRITY keyed by the
 * password from the rendezvous, so a stranger who sees or guesses the ports cannot answer in the
 * peer's place. The controlling peer (larger tie-breaker) nominates the first pair that
 * succeeded; the other peer takes the nomination.
 *
 * <p>When exactly one side maps per destination (a symmetric NAT), the reflexive address it
 * gathered is useless to the other; then the "birthday" method runs: the symmetric side opens
 * {@link PunchOptions#birthdayPorts()} extra sockets that each send toward the other's reflexive
 * address, opening as many bindings, while the cone side sends up to
 * {@link PunchOptions#birthdayProbes()} checks to random ports of the symmetric side's public IP. With
 * 256 open ports and 4096 probes over 64,512 ports, a miss has odds of about e^-16.
 * When both sides are symmetric, no guess can meet: the result is a clear "no direct path"
 * after {@link PunchOptions#bothSymmetricWindow()}, in which host candidates still get a chance (two
 * peers on one LAN).
 *
 * <p>Blocking: {@link #punch} runs in the caller's thread (extra sockets get one virtual thread
 * each) and returns within {@link PunchOptions#timeout()} (plus the rendezvous wait).
 */
public final class HolePuncher {

    private HolePuncher() {
    }

    /**
     * Gathers this side's offer on {@code port}: host candidates (the bound address, or every
     * up, non-loopback interface address a peer could reach when bound to the wildcard), a
     * server-reflexive candidate per distinct answer of {@code stunServers} (asked all at once; a
     * server of an address family with no host candidate is not asked), and {@code extra} candidates
     * (mapped ports). Mapping counts as endpoint-dependent when two servers at different IP addresses
     * report different reflexive addresses of one family. Servers that do not answer within
     * {@code timeout} are skipped.
     *
     * @param port        the socket to punch from; the STUN requests go out on it
     * @param stunServers STUN servers to learn reflexive addresses from, of either family; may be empty
     * @param extra       candidates known otherwise, such as a mapped port; may be empty
     * @param timeout     how long the servers get to answer, all together
     * @return this side's offer with fresh credentials, to send through a {@link OfferExchange}
     * @throws IOException when the socket fails
     */
    public static PunchOffer gather(DatagramPort port, List<InetSocketAddress> stunServers, List<Candidate> extra,
            Duration timeout) throws IOException {
        return io.crust.nat.punch.Gathering.gather(port, stunServers, extra, timeout);
    }

    /**
     * Sends {@code mine} through {@code rendezvous}, waits for the other's offer, then punches.
     *
     * @param port       the socket {@code mine} was gathered on
     * @param mine       this side's offer, from {@link #gather}
     * @param rendezvous the channel to the other peer
     * @param options    the timeouts and birthday parameters
     * @return the path found, or "no direct path" with the reason
     * @throws NatException when the other's offer does not arrive within {@link PunchOptions#rendezvousTimeout()}
     * @throws IOException  when the socket or the rendezvous fails
     */
    public static PunchResult punch(DatagramPort port, PunchOffer mine, OfferExchange rendezvous, PunchOptions options)
            throws IOException {
        rendezvous.send(mine);
        PunchOffer theirs = rendezvous.receive(options.rendezvousTimeout());
        return punch(port, mine, theirs, options);
    }

    /**
     * Runs the checks between {@code mine} and {@code theirs} from {@code port}. Datagrams that
     * are not checks for this session are dropped while it runs, so on a shared socket route
     * only STUN datagrams here.
     *
     * @param port    the socket {@code mine} was gathered on
     * @param mine    this side's offer
     * @param theirs  the other peer's offer
     * @param options the timeouts and birthday parameters
     * @return the path found, or "no direct path" with the reason; finding none is not an exception
     * @throws IOException when the socket fails
     */
    public static PunchResult punch(DatagramPort port, PunchOffer mine, PunchOffer theirs, PunchOptions options)
            throws IOException {
        return new io.crust.nat.punch.PunchSession(port, mine, theirs, options).run();
    }
}
