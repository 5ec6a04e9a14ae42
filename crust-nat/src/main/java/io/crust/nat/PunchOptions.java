package io.crust.nat;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link HolePuncher} punches: how long, how fast, and how hard it tries birthday punching against
 * a symmetric NAT (see the class comment there).
 *
 * @param timeout             the longest the checks run
 * @param pacing              the interval between two checks (RFC 8445 Ta; 20 ms)
 * @param birthdayPorts       extra sockets the symmetric side opens
 * @param birthdayProbes      random-port probes the cone side may send
 * @param birthdayPacing      the interval between two birthday probes
 * @param bothSymmetricWindow how long to try host candidates when both sides are symmetric
 * @param rendezvousTimeout   how long to wait for the other peer's offer
 */
public record PunchOptions(Duration timeout, Duration pacing, int birthdayPorts, int birthdayProbes,
        Duration birthdayPacing, Duration bothSymmetricWindow, Duration rendezvousTimeout) {

    public PunchOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(pacing, "pacing");
        Objects.requireNonNull(birthdayPacing, "birthdayPacing");
        Objects.requireNonNull(bothSymmetricWindow, "bothSymmetricWindow");
        Objects.requireNonNull(rendezvousTimeout, "rendezvousTimeout");
        if (pacing.toMillis() < 1 || birthdayPacing.isNegative() || timeout.isNegative()) {
            throw new IllegalArgumentException("pacing must be at least 1 ms and durations positive");
        }
        if (birthdayPorts < 0 || birthdayPorts > 1024 || birthdayProbes < 0 || birthdayProbes > 65536) {
            throw new IllegalArgumentException("birthdayPorts must be 0-1024 and birthdayProbes 0-65536");
        }
    }

    /** 15 s, 20 ms pacing, 256 ports, 4096 probes at 2 ms, 3 s for symmetric pairs. */
    public static PunchOptions defaults() {
        return new PunchOptions(Duration.ofSeconds(15), Duration.ofMillis(20), 256, 4096, Duration.ofMillis(2),
                Duration.ofSeconds(3), Duration.ofSeconds(30));
    }

    public PunchOptions withTimeout(Duration t) {
        return new PunchOptions(t, pacing, birthdayPorts, birthdayProbes, birthdayPacing, bothSymmetricWindow,
                rendezvousTimeout);
    }

    public PunchOptions withBirthday(int ports, int probes) {
        return new PunchOptions(timeout, pacing, ports, probes, birthdayPacing, bothSymmetricWindow, rendezvousTimeout);
    }

    public PunchOptions withBothSymmetricWindow(Duration w) {
        return new PunchOptions(timeout, pacing, birthdayPorts, birthdayProbes, birthdayPacing, w, rendezvousTimeout);
    }
}
