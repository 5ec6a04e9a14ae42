package io.crust.testkit.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a {@link TunLink} does to packets, in each direction separately: one-way delay, jitter,
 * loss, duplication, reordering and a rate limit. Start from {@link #delay(Duration)} and add
 * with the {@code with...} methods; every setting not given is "none".
 *
 * <p>Order of effects per packet: loss, duplication, rate (serialisation and tail drop past
 * {@code maxQueueDelay}), delay + uniform jitter (order kept), reordering (held back
 * {@code reorderHoldBack} and overtaken). Decisions come from a generator seeded with
 * {@code seed}, so a run's impairments repeat when the traffic repeats.
 */
public record LinkShape(Duration oneWayDelay, Duration jitter, double loss, double duplication,
                        double reordering, Duration reorderHoldBack, long rateBitsPerSecond,
                        Duration maxQueueDelay, long seed) {

    public LinkShape {
        for (Duration d : List.of(oneWayDelay, jitter, reorderHoldBack, maxQueueDelay)) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("durations cannot be negative: " + d);
            }
        }
        for (double p : new double[] {loss, duplication, reordering}) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("a probability is between 0 and 1, not " + p);
            }
        }
        if (rateBitsPerSecond < 0) {
            throw new IllegalArgumentException("rate cannot be negative: " + rateBitsPerSecond);
        }
    }

    /** A link with this one-way delay (round trip twice that) and nothing else. */
    public static LinkShape delay(Duration oneWayDelay) {
        return new LinkShape(oneWayDelay, Duration.ZERO, 0, 0, 0, Duration.ofMillis(10), 0, Duration.ofMillis(100), 1);
    }

    /** Adds a uniform random 0 to {@code jitter} to each packet's delay (without reordering). */
    public LinkShape withJitter(Duration jitter) {
        return new LinkShape(oneWayDelay, jitter, loss, duplication, reordering, reorderHoldBack, rateBitsPerSecond, maxQueueDelay, seed);
    }

    /** Drops each packet with this probability (0 to 1). */
    public LinkShape withLoss(double probability) {
        return new LinkShape(oneWayDelay, jitter, probability, duplication, reordering, reorderHoldBack, rateBitsPerSecond, maxQueueDelay, seed);
    }

    /** Delivers each packet twice with this probability. */
    public LinkShape withDuplication(double probability) {
        return new LinkShape(oneWayDelay, jitter, loss, probability, reordering, reorderHoldBack, rateBitsPerSecond, maxQueueDelay, seed);
    }

    /** Holds each packet back by {@code holdBack} with this probability, so the next ones overtake it. */
    public LinkShape withReordering(double probability, Duration holdBack) {
        return new LinkShape(oneWayDelay, jitter, loss, duplication, probability, holdBack, rateBitsPerSecond, maxQueueDelay, seed);
    }

    /** Limits the rate; packets that would queue longer than {@code maxQueueDelay} are dropped. */
    public LinkShape withRate(long bitsPerSecond, Duration maxQueueDelay) {
        return new LinkShape(oneWayDelay, jitter, loss, duplication, reordering, reorderHoldBack, bitsPerSecond, maxQueueDelay, seed);
    }

    /** Seeds the random decisions (default 1). */
    public LinkShape withSeed(long seed) {
        return new LinkShape(oneWayDelay, jitter, loss, duplication, reordering, reorderHoldBack, rateBitsPerSecond, maxQueueDelay, seed);
    }

    /** The round trip a packet and its answer take on an idle link, without jitter. */
    public Duration roundTrip() {
        return oneWayDelay.multipliedBy(2);
    }

    /** The emulator's command-line flags for these settings. */
    List<String> flags() {
        List<String> flags = new ArrayList<>();
        flags.add("--delay-ms=" + millis(oneWayDelay));
        flags.add("--jitter-ms=" + millis(jitter));
        flags.add("--loss=" + loss);
        flags.add("--duplication=" + duplication);
        flags.add("--reorder=" + reordering);
        flags.add("--reorder-hold-ms=" + millis(reorderHoldBack));
        flags.add("--rate-bps=" + rateBitsPerSecond);
        flags.add("--queue-limit-ms=" + millis(maxQueueDelay));
        flags.add("--seed=" + seed);
        return flags;
    }

    private static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e6);
    }
}
