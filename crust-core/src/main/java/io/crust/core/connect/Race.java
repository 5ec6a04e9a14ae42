package io.crust.core.connect;

import io.crust.core.CrustTimeoutException;
import io.crust.core.ConnectFailedException;
import io.crust.core.CrustException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Happy Eyeballs (RFC 8305) for any set of ways to reach a peer. RFC 8305 section 5: "Starting a new
 * connection attempt does not affect previous attempts ... Once one of the connection attempts succeeds,
 * all other connections attempts that have not yet succeeded SHOULD be canceled."
 *
 * <p>Attempts start in the order they were added: each one its {@code delay} after the one before it
 * started, or at once when every attempt started so far has failed. So an address that silently drops
 * SYNs costs the delay, not the whole timeout. An attempt whose transport is up (a TCP connect that
 * returned) says so through its {@code established} hook: later attempts then wait for its outcome
 * instead of its delay, as RFC 8305 times the delay to the transport handshake, not to what follows it
 * (our Noise handshake). The first attempt to succeed wins; {@link #run} then interrupts the others (an
 * attempt added with {@link #thenToCompletion} is left to finish).
 *
 * <p>Threads: {@link #run} blocks the caller; each attempt runs on its own virtual thread
 * ({@code crust-race-<label>-N}), interrupted when the race ends and so bounded by it, except one added
 * with {@link #thenToCompletion}, which ends by itself.
 */
public final class Race<T> {
    private static final AtomicLong THREADS = new AtomicLong();

    /**
     * One way to reach the peer, run on its own thread; returns the connection or throws why not. It may
     * call {@code established.run()} once its transport is up (later attempts then wait for it).
     */
    public interface Attempt<T> {
        T run(Runnable established) throws CrustException, InterruptedException;
    }

    private record Entry<T>(String label, Duration delay, Attempt<T> attempt, boolean interruptWhenLost) {
    }

    private final String what;
    private final List<Entry<T>> entries = new ArrayList<>();
    /** The threads to interrupt when the race ends. */
    private final List<Thread> threads = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<String> failures = new ArrayList<>();
    private final List<Exception> failureCauses = new ArrayList<>();
    /** Labels of the attempts started and not finished. */
    private final List<String> unfinished = new ArrayList<>();
    private T winner;
    /** Attempts that said their transport is up and have not finished yet. */
    private int establishedRunning;

    /** @param what the target, for the failure message ("cannot reach WHAT: ...") */
    public Race(String what) {
        this.what = what;
    }

    /** Adds an attempt that starts {@code delay} after the previous one (the first: after the race starts). */
    public Race<T> then(String label, Duration delay, Attempt<T> attempt) {
        entries.add(new Entry<>(label, delay, attempt, true));
        return this;
    }

    /**
     * As {@link #then}, but the attempt is left to finish when the race ends: for one that hands work over
     * to the background on its way and must not be cut off half-way. It should end soon after the race.
     */
    public Race<T> thenToCompletion(String label, Duration delay, Attempt<T> attempt) {
        entries.add(new Entry<>(label, delay, attempt, false));
        return this;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Runs the race: the first success, or a {@link CrustException} once every attempt failed (the only
     * failure as it was, or one naming them all), or a {@link CrustTimeoutException} once the timeout passed.
     */
    public T run(Duration timeout) throws CrustException {
        RaceSchedule schedule = new RaceSchedule(entries.stream().map(Entry::delay).toList(), System.nanoTime(), timeout);
        lock.lock();
        try {
            while (winner == null) {
                switch (schedule.next(System.nanoTime(), failures.size(), establishedRunning)) {
                    case RaceSchedule.Start s -> start(entries.get(s.index()));
                    case RaceSchedule.AllFailed f -> throw failure(null);
                    case RaceSchedule.TimedOut t -> throw failure(timeout);
                    case RaceSchedule.Wait w -> changed.awaitNanos(Math.max(1, w.untilNanos() - System.nanoTime()));
                }
            }
            return winner;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectFailedException(ConnectFailedException.Reason.INTERRUPTED, "interrupted while trying to reach " + what);
        } finally {
            lock.unlock();
            for (Thread t : threads) {
                t.interrupt();
            }
        }
    }

    /** Starts one attempt on its thread; called with the lock held. */
    private void start(Entry<T> entry) {
        Thread thread = Thread.ofVirtual().name("crust-race-" + entry.label() + "-" + THREADS.incrementAndGet())
                .unstarted(() -> {
                    T result = null;
                    Exception failure = null;
                    boolean[] established = new boolean[1];
                    try {
                        result = entry.attempt().run(() -> {
                            lock.lock();
                            try {
                                if (!established[0]) {
                                    established[0] = true;
                                    establishedRunning++;
                                }
                            } finally {
                                lock.unlock();
                            }
                        });
                        if (result == null) {
                            failure = new CrustException("no connection");
                        }
                    } catch (CrustException | InterruptedException | RuntimeException e) {
                        failure = e;
                    }
                    lock.lock();
                    try {
                        if (established[0]) {
                            establishedRunning--;
                        }
                        unfinished.remove(entry.label());
                        if (result != null && winner == null) {
                            winner = result;
                        } else if (result == null) {
                            failures.add(entry.label() + ": " + failure.getMessage());
                            failureCauses.add(failure);
                        }
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                });
        if (entry.interruptWhenLost()) {
            threads.add(thread);
        }
        unfinished.add(entry.label());
        thread.start();
    }

    /** Why the race failed: every attempt failed ({@code timedOutAfter} null) or the timeout passed. */
    private CrustException failure(Duration timedOutAfter) {
        if (timedOutAfter == null && failureCauses.size() == 1 && failureCauses.get(0) instanceof CrustException only) {
            return only;
        }
        List<String> all = new ArrayList<>(failures);
        if (timedOutAfter != null) {
            unfinished.forEach(label -> all.add(label + ": no answer"));
        }
        String why = String.join("; ", all);
        if (timedOutAfter != null) {
            why = "nothing answered within " + timedOutAfter.toMillis() + " ms (" + why + ")";
        }
        Throwable first = failureCauses.isEmpty() ? null : failureCauses.get(0);
        CrustException e = timedOutAfter != null ? new CrustTimeoutException("cannot reach " + what + ": " + why, first)
                : new CrustException("cannot reach " + what + ": " + why, first);
        for (int i = 1; i < failureCauses.size(); i++) {
            e.addSuppressed(failureCauses.get(i));
        }
        return e;
    }
}
