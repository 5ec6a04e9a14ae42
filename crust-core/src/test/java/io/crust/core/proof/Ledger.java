package io.crust.core.proof;

import io.crust.core.PeerId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Accounts for every message of a soak run. A message is registered before {@code send} is called and
 * ends in exactly one class:
 *
 * <ol>
 *   <li><b>delivered</b>: its receiver's application took it from the event queue (checked byte for byte);
 *   <li><b>failed at send</b>: {@code send} threw;
 *   <li><b>reported lost</b>: the sender received {@code PeerLost} for the receiver after it called
 *       {@code send};
 *   <li><b>dropped by its sender</b>: the sending node closed, or closed its connection to the receiver,
 *       after calling {@code send} (close discards what is still queued);
 *   <li><b>unaccounted</b>: none of the above. Must stay zero.
 * </ol>
 *
 * <p>Time here is a logical tick, taken before {@code send} and when an event is recorded, so "after"
 * is exact even when two threads race. Message body: sequence number (8 bytes), then bytes derived
 * from it, so corruption is detected.
 */
final class Ledger {
    private record Pending(long lifeId, PeerId to, long startTick) {
    }

    private record Link(long lifeId, PeerId peer) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long tick;
    private long nextSequence;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final BitSet delivered = new BitSet();
    private final BitSet failed = new BitSet();
    private final Map<Link, Long> lossTicks = new HashMap<>();
    private final Map<Link, Long> ownCloseTicks = new HashMap<>();
    private final Map<Long, Long> lifeEndTicks = new HashMap<>();
    private long sent;
    private long deliveredCount;
    private long failedAtSend;
    private long deliveredDespiteFailure;
    private long duplicates;
    private long corrupted;

    /** Registers a message about to be sent and returns its body. */
    byte[] beforeSend(long lifeId, PeerId to, int bodyBytes) {
        lock.lock();
        try {
            long sequence = nextSequence++;
            pending.put(sequence, new Pending(lifeId, to, ++tick));
            sent++;
            return body(sequence, bodyBytes);
        } finally {
            lock.unlock();
        }
    }

    void sendFailed(byte[] body) {
        lock.lock();
        try {
            long sequence = sequenceOf(body);
            if (pending.remove(sequence) != null) {
                failedAtSend++;
                failed.set((int) sequence);
                changed.signalAll();
            } else if (delivered.get((int) sequence)) {
                deliveredDespiteFailure++;
            }
        } finally {
            lock.unlock();
        }
    }

    void received(byte[] body) {
        lock.lock();
        try {
            if (body.length < Long.BYTES || !intact(body)) {
                corrupted++;
                return;
            }
            long sequence = sequenceOf(body);
            if (sequence < 0 || sequence >= nextSequence || delivered.get((int) sequence)) {
                duplicates++;
                return;
            }
            delivered.set((int) sequence);
            deliveredCount++;
            if (pending.remove(sequence) == null && failed.get((int) sequence)) {
                // send() threw, yet the message arrived: count it as delivered, and separately.
                failedAtSend--;
                deliveredDespiteFailure++;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void peerLost(long lifeId, PeerId peer) {
        record(lossTicks, new Link(lifeId, peer));
    }

    void closedByUs(long lifeId, PeerId peer) {
        record(ownCloseTicks, new Link(lifeId, peer));
    }

    void lifeEnded(long lifeId) {
        lock.lock();
        try {
            lifeEndTicks.put(lifeId, ++tick);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void record(Map<Link, Long> ticks, Link link) {
        lock.lock();
        try {
            ticks.put(link, ++tick);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every pending message is delivered or explained; false if {@code timeoutNanos} passed first. */
    boolean awaitSettled(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!unexplained().isEmpty()) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private List<String> unexplained() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            if (classOf(e.getValue()) == null) {
                Pending p = e.getValue();
                out.add("#" + e.getKey() + " life " + p.lifeId() + " -> " + p.to().shortForm() + " at tick " + p.startTick());
            }
        }
        return out;
    }

    private String classOf(Pending p) {
        Link link = new Link(p.lifeId(), p.to());
        if (lossTicks.getOrDefault(link, -1L) > p.startTick()) {
            return "reportedLost";
        }
        if (ownCloseTicks.getOrDefault(link, -1L) > p.startTick() || lifeEndTicks.getOrDefault(p.lifeId(), -1L) > p.startTick()) {
            return "droppedBySender";
        }
        return null;
    }

    /** The final tally. */
    Tally tally() {
        lock.lock();
        try {
            long reportedLost = 0;
            long droppedBySender = 0;
            for (Pending p : pending.values()) {
                String c = classOf(p);
                if ("reportedLost".equals(c)) {
                    reportedLost++;
                } else if ("droppedBySender".equals(c)) {
                    droppedBySender++;
                }
            }
            List<String> missing = unexplained();
            return new Tally(sent, deliveredCount, failedAtSend, reportedLost, droppedBySender, missing.size(), duplicates,
                    corrupted, deliveredDespiteFailure, List.copyOf(missing.subList(0, Math.min(10, missing.size()))));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts per class; {@code deliveredDespiteFailure} counts messages whose {@code send} threw but which
     * arrived anyway (included in {@code delivered}); {@code examples} names up to ten unaccounted messages.
     */
    record Tally(long sent, long delivered, long failedAtSend, long reportedLost, long droppedBySender, long unaccounted,
            long duplicates, long corrupted, long deliveredDespiteFailure, List<String> examples) {
        @Override
        public String toString() {
            return String.format("sent %d, delivered %d, failed at send %d, reported lost %d, dropped by their sender %d, "
                    + "unaccounted %d, duplicates %d, corrupted %d, delivered although send threw %d%s", sent, delivered,
                    failedAtSend, reportedLost, droppedBySender, unaccounted, duplicates, corrupted, deliveredDespiteFailure,
                    examples.isEmpty() ? "" : " e.g. " + examples);
        }
    }

    private static byte[] body(long sequence, int bodyBytes) {
        byte[] body = new byte[Math.max(Long.BYTES, bodyBytes)];
        ByteBuffer.wrap(body).putLong(sequence);
        for (int i = Long.BYTES; i < body.length; i++) {
            body[i] = (byte) (sequence * 31 + i);
        }
        return body;
    }

    private static boolean intact(byte[] body) {
        long sequence = sequenceOf(body);
        for (int i = Long.BYTES; i < body.length; i++) {
            if (body[i] != (byte) (sequence * 31 + i)) {
                return false;
            }
        }
        return true;
    }

    private static long sequenceOf(byte[] body) {
        return ByteBuffer.wrap(body).getLong();
    }
}
