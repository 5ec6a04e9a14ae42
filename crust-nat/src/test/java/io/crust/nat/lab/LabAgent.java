package io.crust.nat.lab;

import io.crust.testkit.lab.LabException;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The test's handle on one {@link LabPeer} JVM in a lab host: sends commands, and sorts the
 * peer's answers by session id so that several pairs can share one peer.
 */
final class LabAgent implements AutoCloseable {
    private final LabHost host;
    private final LabProcess process;
    private final Map<String, LinkedBlockingQueue<String>> answers = new ConcurrentHashMap<>();
    private final Thread dispatcher;
    private final ReentrantLock sendLock = new ReentrantLock();

    private LabAgent(LabHost host, LabProcess process) {
        this.host = host;
        this.process = process;
        this.dispatcher = Thread.ofVirtual().name("crust-lab-agent-" + host.namespace()).start(this::dispatch);
    }

    static LabAgent start(LabHost host) throws LabException {
        LabProcess p = host.startJava(List.of("-Xmx160m", "-XX:TieredStopAtLevel=1", "-Xshare:auto"), LabPeer.class);
        p.awaitLine("READY"::equals, Duration.ofSeconds(60));
        return new LabAgent(host, p);
    }

    LabHost host() {
        return host;
    }

    /** One line to the peer; several pair threads share a peer, and their lines must not interleave. */
    void send(String line) throws LabException {
        sendLock.lock();
        try {
            process.writeLine(line);
        } finally {
            sendLock.unlock();
        }
    }

    /** The next line of session {@code id} that starts with {@code word}, within {@code timeout}. */
    String await(String id, String word, Duration timeout) throws InterruptedException {
        LinkedBlockingQueue<String> queue = answers.computeIfAbsent(id + " " + word, k -> new LinkedBlockingQueue<>());
        String line = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError(host + ": no " + word + " line for " + id + " within " + timeout
                    + "; last lines " + tail(process.lines()) + "; stderr " + process.stderrLog());
        }
        return line;
    }

    private void dispatch() {
        try {
            while (true) {
                String line = process.awaitLine(l -> true, Duration.ofHours(1));
                String[] f = line.split(" ", 3);
                if (f.length >= 2) {
                    answers.computeIfAbsent(f[1] + " " + f[0], k -> new LinkedBlockingQueue<>()).add(line);
                }
            }
        } catch (LabException e) {
            // the peer ended: awaiting tests time out with its last lines
        }
    }

    private static List<String> tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 5), lines.size());
    }

    @Override
    public void close() {
        process.close();
        dispatcher.interrupt();
    }
}
