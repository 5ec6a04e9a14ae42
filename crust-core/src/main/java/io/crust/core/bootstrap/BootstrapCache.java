package io.crust.core.bootstrap;

import io.crust.core.PeerId;
import io.crust.core.PeerRecord.Address;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers this node was directly connected to, kept in {@code dataDir/bootstrap-cache.txt} so that a
 * restarted node can rejoin the network without any configured contact.
 *
 * <p>Entries are keyed by peer id and kept most recent first. A successful connection moves the peer to
 * the front with the address that worked, and clears its failure count; a failed attempt counts a
 * failure, and a peer that failed {@code maxFailures} times in a row is forgotten. The cache holds at
 * most {@code capacity} peers (the least recently successful are dropped) and at most
 * {@value #MAX_ADDRESSES_PER_PEER} addresses per peer.
 *
 * <p>A peer new to the cache (or reached at a new address) is written at once; the other changes
 * (recency, failure counts) are kept in memory and written by {@link #flush()}, which the node calls on
 * every tick of its ticker and when it closes. A node that reconnects to its peers a hundred times a
 * second so writes the file at most once a tick instead of forcing it to disk a hundred times (that was
 * about 2 ms of carrier-thread time per connection in {@code NodeConnects}); a crash loses at most one
 * tick of recency, never a peer. The file is
 * written atomically: to a temporary file in the same directory (mode 0600), forced to disk, moved over
 * the old file with {@code ATOMIC_MOVE}, then the directory is forced so the rename survives a crash. A file that cannot be parsed is kept as {@code bootstrap-cache.corrupt}
 * for inspection, a warning is logged and the cache starts empty: a damaged cache never stops a node.
 *
 * <p>File format (UTF-8 text, one peer per line, most recent first; see docs/bootstrap.md):
 * <pre>
 * # crust bootstrap cache v1
 * &lt;peer id&gt; &lt;last success, ms since epoch&gt; &lt;failures&gt; &lt;address&gt; [&lt;address&gt; ...]
 * </pre>
 * where each address is the text form of {@link Address}, for example {@code tcp/host/192.0.2.1:5483}.
 *
 * <p>Thread-safe.
 */
public final class BootstrapCache {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapCache.class);

    /** Name of the cache file inside the data directory. */
    public static final String FILE_NAME = "bootstrap-cache.txt";
    /** Name a corrupt cache file is kept under. */
    public static final String CORRUPT_FILE_NAME = "bootstrap-cache.corrupt";
    /** Default number of peers kept. */
    public static final int DEFAULT_CAPACITY = 200;
    /** Default number of failures in a row after which a peer is forgotten. */
    public static final int DEFAULT_MAX_FAILURES = 5;
    /** Addresses kept per peer, most recently successful first. */
    public static final int MAX_ADDRESSES_PER_PEER = 8;

    private static final String HEADER = "# crust bootstrap cache v1";
    /** Longest line the parser accepts: a peer id, two numbers and eight IPv6 addresses fit easily. */
    private static final int MAX_LINE_CHARS = 1024;

    /**
     * One cached peer.
     *
     * @param peerId the peer's id, proved by a handshake when it was cached
     * @param addresses where we reached it, most recently successful first (never empty)
     * @param lastSuccessMillis wall-clock time of the last successful connection, ms since the epoch
     * @param failures failed attempts since the last success
     */
    public record Entry(PeerId peerId, List<Address> addresses, long lastSuccessMillis, int failures) {
        public Entry {
            Objects.requireNonNull(peerId, "peerId");
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("a cache entry needs an address");
            }
        }
    }

    private final Path file;
    private final int capacity;
    private final int maxFailures;
    private final LongSupplier wallClockMillis;
    private final ReentrantLock lock = new ReentrantLock();
    /** Insertion order is recency order: the first entry is the most recent success. */
    private final LinkedHashMap<PeerId, Entry> entries = new LinkedHashMap<>();
    /** Entries changed since the file was last written. */
    private boolean dirty;

    private BootstrapCache(Path file, int capacity, int maxFailures, LongSupplier wallClockMillis) {
        this.file = file;
        this.capacity = capacity;
        this.maxFailures = maxFailures;
        this.wallClockMillis = wallClockMillis;
    }

    /** Opens the cache of {@code dataDir} with the default bounds, creating the directory if needed. */
    public static BootstrapCache open(Path dataDir) throws IOException {
        return open(dataDir, DEFAULT_CAPACITY, DEFAULT_MAX_FAILURES, System::currentTimeMillis);
    }

    /**
     * Opens the cache of {@code dataDir}, reading the file if there is one.
     *
     * @param capacity most peers kept (at least 1)
     * @param maxFailures failures in a row after which a peer is forgotten (at least 1)
     * @param wallClockMillis the clock whose readings are stored as last-success times
     * @throws IOException if the directory cannot be created or the file cannot be read (a file that
     *         is read but cannot be parsed is not an error: see the class comment)
     */
    public static BootstrapCache open(Path dataDir, int capacity, int maxFailures, LongSupplier wallClockMillis)
            throws IOException {
        if (capacity < 1 || maxFailures < 1) {
            throw new IllegalArgumentException("capacity and maxFailures must be at least 1");
        }
        Files.createDirectories(dataDir);
        BootstrapCache cache = new BootstrapCache(dataDir.resolve(FILE_NAME), capacity, maxFailures,
                Objects.requireNonNull(wallClockMillis, "wallClockMillis"));
        cache.load();
        return cache;
    }

    /** The cache file. */
    public Path file() {
        return file;
    }

    /** The cached peers, most recent success first. */
    public List<Entry> entries() {
        lock.lock();
        try {
            return List.copyOf(entries.values());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records a successful direct connection to {@code peer} at {@code address}: the peer moves to the
     * front, the address to the front of its list, and its failure count is cleared. A peer new to the
     * cache, or one at an address new to it, is written to the file at once (a node that bootstrapped and
     * then crashed must find the peer when it restarts); other changes wait for {@link #flush()}.
     *
     * @param peer the peer, proved by the handshake
     * @param address where we reached it
     * @throws IOException if the file could not be written (the change stays pending for the next flush)
     */
    public void recordSuccess(PeerId peer, Address address) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(address, "address");
        lock.lock();
        try {
            Entry old = entries.remove(peer);
            List<Address> addresses = new ArrayList<>(MAX_ADDRESSES_PER_PEER);
            addresses.add(address);
            if (old != null) {
                for (Address a : old.addresses()) {
                    if (addresses.size() < MAX_ADDRESSES_PER_PEER && !sameEndpoint(a, address)) {
                        addresses.add(a);
                    }
                }
            }
            putFirst(new Entry(peer, addresses, wallClockMillis.getAsLong(), 0));
            while (entries.size() > capacity) {
                entries.remove(lastKey());
            }
            dirty = true;
            if (old == null || old.addresses().stream().noneMatch(a -> sameEndpoint(a, address))) {
                save();
                dirty = false;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records a failed attempt to reach {@code peer}. After {@code maxFailures} failures in a row the
     * peer is forgotten. Unknown peers are ignored.
     */
    public void recordFailure(PeerId peer) {
        lock.lock();
        try {
            Entry old = entries.get(peer);
            if (old == null) {
                return;
            }
            if (old.failures() + 1 >= maxFailures) {
                entries.remove(peer);
                LOG.debug("bootstrap cache: forgot {} after {} failures", peer.shortForm(), old.failures() + 1);
            } else {
                // Keeps its place: recency is about the last success, not the last attempt.
                entries.put(peer, new Entry(peer, old.addresses(), old.lastSuccessMillis(), old.failures() + 1));
            }
            dirty = true;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets {@code peer} (for example because it was banned). */
    public void remove(PeerId peer) {
        lock.lock();
        try {
            if (entries.remove(peer) != null) {
                dirty = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the file if anything changed since the last write; cheap when nothing did.
     *
     * @throws IOException if the file cannot be written (the changes stay pending for the next flush)
     */
    public void flush() throws IOException {
        lock.lock();
        try {
            if (dirty) {
                save();
                dirty = false;
            }
        } finally {
            lock.unlock();
        }
    }

    private static boolean sameEndpoint(Address a, Address b) {
        return a.transport() == b.transport() && a.socketAddress().equals(b.socketAddress());
    }

    private void putFirst(Entry entry) {
        Map<PeerId, Entry> rest = new LinkedHashMap<>(entries);
        entries.clear();
        entries.put(entry.peerId(), entry);
        entries.putAll(rest);
    }

    private PeerId lastKey() {
        PeerId last = null;
        for (PeerId id : entries.keySet()) {
            last = id;
        }
        return last;
    }

    private void load() throws IOException {
        String text;
        try {
            long size = Files.size(file);
            if (size > maxFileBytes()) {
                quarantine("the file has " + size + " bytes, more than " + maxFileBytes() + " allowed");
                return;
            }
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        }
        try {
            entries.putAll(BootstrapCacheFormat.parse(text, capacity, MAX_ADDRESSES_PER_PEER, MAX_LINE_CHARS, HEADER));
        } catch (IllegalArgumentException e) {
            entries.clear();
            quarantine(e.getMessage());
        }
    }

    private long maxFileBytes() {
        return (long) (capacity + 1) * MAX_LINE_CHARS;
    }

    private void quarantine(String reason) throws IOException {
        Path corrupt = file.resolveSibling(CORRUPT_FILE_NAME);
        Files.move(file, corrupt, StandardCopyOption.REPLACE_EXISTING);
        LOG.warn("bootstrap cache {} is corrupt ({}); starting with an empty cache, the file is kept as {}",
                file, reason, corrupt);
    }

    private void save() throws IOException {
        byte[] bytes = BootstrapCacheFormat.format(HEADER, entries.values()).getBytes(StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        Path temp = ownerOnlyTempFile(dir);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Path ownerOnlyTempFile(Path dir) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            return Files.createTempFile(dir, "bootstrap-cache", ".tmp", ownerOnly);
        }
        return Files.createTempFile(dir, "bootstrap-cache", ".tmp");
    }

    /** Makes the rename durable. Not every platform can open a directory; there the move must do. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("cannot force directory {}: {}", dir, e.toString());
        }
    }
}
