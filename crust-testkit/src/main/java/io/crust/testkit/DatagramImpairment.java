package io.crust.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, datagram by datagram, what an unreliable network does with it: drop it, deliver it
 * once or twice, late, out of order, or with a flipped bit.
 *
 * <p>It does no I/O. {@link #apply(byte[], long)} takes a datagram and the current time and
 * returns the copies to deliver, each with its delivery time; {@link InMemoryNetwork} and
 * {@link ImpairedDatagramSocket} then carry them out. For each datagram the decisions are drawn
 * from one {@link SplittableRandom} in a fixed order:
 * <ol>
 *   <li>loss: dropped with probability {@code loss};</li>
 *   <li>duplication: a second copy with probability {@code duplication};</li>
 *   <li>for each copy: delay = {@code delay} + uniform({@code 0..jitter}); with probability
 *       {@code reordering} a further {@code reorderHoldBack} (so later datagrams overtake it);
 *       with probability {@code corruption} one random bit of the copy is flipped.</li>
 * </ol>
 *
 * <p><b>Reproducing a run.</b> The same seed and the same sequence of calls give the same
 * decisions. Tests should take their seed from {@link #seedFromSystemProperty()}, which logs it;
 * a failing run is replayed with {@code -Dcrust.test.seed=<seed>} (for example
 * {@code ./mvnw -Dcrust.test.seed=42 -Dtest=MyTest ...}). {@link #toString()} names the seed too,
 * so an assertion message that includes the impairment carries what is needed to replay it.
 *
 * <p>Thread-safe; each decision holds a lock for a few arithmetic steps only.
 */
public final class DatagramImpairment {

    private static final Logger LOG = LoggerFactory.getLogger(DatagramImpairment.class);

    /** System property holding the seed that {@link #seedFromSystemProperty()} returns. */
    public static final String SEED_PROPERTY = "crust.test.seed";

    /** One copy of a datagram to hand over at {@code deliverAtNanos} (same time base as the caller's clock). */
    public record Delivery(byte[] payload, long deliverAtNanos, boolean corrupted) {
        public Delivery {
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** Running totals of what was decided, for assertions and benchmark printouts. */
    public record Counts(long offered, long dropped, long duplicated, long reordered, long corrupted) {}

    private final long seed;
    private final double lossProbability;
    private final double duplicationProbability;
    private final double reorderingProbability;
    private final long reorderHoldBackNanos;
    private final long delayNanos;
    private final long jitterNanos;
    private final double corruptionProbability;

    private final ReentrantLock lock = new ReentrantLock();
    private final SplittableRandom random;
    private long offered;
    private long dropped;
    private long duplicated;
    private long reordered;
    private long corrupted;

    private DatagramImpairment(Builder b) {
        this.seed = b.seed;
        this.lossProbability = b.lossProbability;
        this.duplicationProbability = b.duplicationProbability;
        this.reorderingProbability = b.reorderingProbability;
        this.reorderHoldBackNanos = b.reorderHoldBackNanos;
        this.delayNanos = b.delayNanos;
        this.jitterNanos = b.jitterNanos;
        this.corruptionProbability = b.corruptionProbability;
        this.random = new SplittableRandom(seed);
    }

    /** Starts describing an impairment whose random decisions come from {@code seed}. */
    public static Builder seeded(long seed) {
        return new Builder(seed);
    }

    /** A perfect link: every datagram delivered once, at once, unchanged. */
    public static DatagramImpairment none() {
        return new Builder(0).build();
    }

    /**
     * The seed a test should use: the system property {@value #SEED_PROPERTY} when set, else a
     * fresh random one. Either way it is logged at INFO so a failing run can be replayed.
     */
    public static long seedFromSystemProperty() {
        String configured = System.getProperty(SEED_PROPERTY);
        long seed = configured != null ? Long.parseLong(configured.trim()) : new SplittableRandom().nextLong();
        LOG.info("impairment seed {} (replay with -D{}={})", seed, SEED_PROPERTY, seed);
        return seed;
    }

    /** The seed this impairment draws from. */
    public long seed() {
        return seed;
    }

    /** Decides the fate of {@code datagram} offered at {@code nowNanos}; the input array is not kept or changed. */
    public List<Delivery> apply(byte[] datagram, long nowNanos) {
        return apply(datagram, 0, datagram.length, nowNanos);
    }

    /** As {@link #apply(byte[], long)} for {@code length} bytes of {@code buffer} starting at {@code offset}. */
    public List<Delivery> apply(byte[] buffer, int offset, int length, long nowNanos) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        lock.lock();
        try {
            offered++;
            if (chance(lossProbability)) {
                dropped++;
                return List.of();
            }
            int copies = 1;
            if (chance(duplicationProbability)) {
                duplicated++;
                copies = 2;
            }
            List<Delivery> deliveries = new ArrayList<>(copies);
            for (int i = 0; i < copies; i++) {
                long latencyNanos = delayNanos + (jitterNanos > 0 ? random.nextLong(jitterNanos + 1) : 0);
                if (chance(reorderingProbability)) {
                    reordered++;
                    latencyNanos += reorderHoldBackNanos;
                }
                byte[] copy = Arrays.copyOfRange(buffer, offset, offset + length);
                boolean flipped = false;
                if (length > 0 && chance(corruptionProbability)) {
                    corrupted++;
                    int bit = random.nextInt(length * 8);
                    copy[bit >>> 3] ^= (byte) (1 << (bit & 7));
                    flipped = true;
                }
                deliveries.add(new Delivery(copy, nowNanos + latencyNanos, flipped));
            }
            return deliveries;
        } finally {
            lock.unlock();
        }
    }

    /** What has been decided so far. */
    public Counts counts() {
        lock.lock();
        try {
            return new Counts(offered, dropped, duplicated, reordered, corrupted);
        } finally {
            lock.unlock();
        }
    }

    private boolean chance(double probability) {
        // Draw even when the probability is 0 or 1, so that changing one setting does not shift
        // the random sequence seen by the other decisions of the same datagram.
        return random.nextDouble() < probability;
    }

    @Override
    public String toString() {
        return "DatagramImpairment[seed=" + seed + ", loss=" + lossProbability + ", duplication=" + duplicationProbability
                + ", reordering=" + reorderingProbability + " (+" + reorderHoldBackNanos / 1_000 + " us)"
                + ", delay=" + delayNanos / 1_000 + " us, jitter=" + jitterNanos / 1_000 + " us"
                + ", corruption=" + corruptionProbability + "]";
    }

    /** Settings of a {@link DatagramImpairment}; every setting defaults to "no impairment". */
    public static final class Builder {
        private final long seed;
        private double lossProbability;
        private double duplicationProbability;
        private double reorderingProbability;
        private long reorderHoldBackNanos;
        private long delayNanos;
        private long jitterNanos;
        private double corruptionProbability;

        private Builder(long seed) {
            this.seed = seed;
        }

        /** Each datagram is dropped with this probability (0 to 1). */
        public Builder loss(double probability) {
            this.lossProbability = probability(probability);
            return this;
        }

        /** Each delivered datagram arrives twice with this probability (0 to 1). */
        public Builder duplication(double probability) {
            this.duplicationProbability = probability(probability);
            return this;
        }

        /** Each copy is held back by a further {@code holdBack} with this probability, so later ones overtake it. */
        public Builder reordering(double probability, Duration holdBack) {
            this.reorderingProbability = probability(probability);
            this.reorderHoldBackNanos = nonNegative(holdBack);
            return this;
        }

        /** Every copy is late by at least {@code delay} (one way). */
        public Builder delay(Duration delay) {
            this.delayNanos = nonNegative(delay);
            return this;
        }

        /** Every copy is late by a further uniform random 0 to {@code jitter}; this alone can reorder. */
        public Builder jitter(Duration jitter) {
            this.jitterNanos = nonNegative(jitter);
            return this;
        }

        /** Each copy has one random bit flipped with this probability (0 to 1). */
        public Builder corruption(double probability) {
            this.corruptionProbability = probability(probability);
            return this;
        }

        public DatagramImpairment build() {
            return new DatagramImpairment(this);
        }

        private static double probability(double p) {
            if (!(p >= 0.0 && p <= 1.0)) {
                throw new IllegalArgumentException("a probability is between 0 and 1, not " + p);
            }
            return p;
        }

        private static long nonNegative(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("a delay cannot be negative: " + d);
            }
            return d.toNanos();
        }
    }
}
