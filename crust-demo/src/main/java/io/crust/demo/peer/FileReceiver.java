package io.crust.demo.peer;

import io.crust.core.PeerId;
import io.crust.demo.peer.FileMessages.Abort;
import io.crust.demo.peer.FileMessages.Chunk;
import io.crust.demo.peer.FileMessages.FileMessage;
import io.crust.demo.peer.FileMessages.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Receives files sent as {@link FileMessages}: writes each to a temporary file in {@code directory},
 * checks the offset of every chunk, the size and the SHA-256, and only then gives the file its
 * (sanitized) name. A file never lands outside {@code directory}, whatever name the sender gives, and
 * never replaces an existing file.
 *
 * <p>Limits: {@code maxFileBytes} per file, {@value #MAX_TRANSFERS_PER_PEER} transfers at once per peer.
 * Thread-safe (the event thread receives; the command thread may abandon a dropped peer's transfers).
 */
final class FileReceiver {
    static final int MAX_TRANSFERS_PER_PEER = 4;
    private static final int MAX_SAFE_NAME_CHARS = 100;

    /** What a file message led to. */
    sealed interface Outcome {
    }

    /** Bytes arrived; {@code received} of {@code size}. */
    record Progress(PeerId peer, String name, long received, long size) implements Outcome {
    }

    /** The file is complete, verified and saved at {@code path}. */
    record Completed(PeerId peer, long transferId, Path path, long bytes, String sha256) implements Outcome {
    }

    /** The transfer was refused or abandoned; what was received is deleted. */
    record Failed(PeerId peer, long transferId, String name, String reason) implements Outcome {
    }

    private record Key(PeerId peer, long transferId) {
    }

    private static final class Transfer {
        final String name;
        final long size;
        final byte[] expectedSha256;
        final Path partial;
        final FileChannel channel;
        final MessageDigest digest;
        long received;

        Transfer(String name, long size, byte[] expectedSha256, Path partial, FileChannel channel, MessageDigest digest) {
            this.name = name;
            this.size = size;
            this.expectedSha256 = expectedSha256;
            this.partial = partial;
            this.channel = channel;
            this.digest = digest;
        }
    }

    private final Path directory;
    private final long maxFileBytes;
    private final Map<Key, Transfer> transfers = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();

    FileReceiver(Path directory, long maxFileBytes) {
        this.directory = directory.toAbsolutePath().normalize();
        this.maxFileBytes = maxFileBytes;
    }

    /** Where received files go. */
    Path directory() {
        return directory;
    }

    /** Handles one decoded file message from {@code peer}. */
    Outcome onMessage(PeerId peer, FileMessage message) {
        lock.lock();
        try {
            return handle(peer, message);
        } finally {
            lock.unlock();
        }
    }

    private Outcome handle(PeerId peer, FileMessage message) {
        Key key = new Key(peer, message.transferId());
        return switch (message) {
            case Header h -> start(key, h);
            case Chunk c -> append(key, c);
            case FileMessages.Result r -> new Failed(peer, key.transferId(), "?", "a result is for the sender, not the receiver");
            case Abort a -> {
                Transfer t = transfers.remove(key);
                if (t == null) {
                    yield new Failed(peer, key.transferId(), "?", "the sender aborted an unknown transfer");
                }
                discard(t);
                yield new Failed(peer, key.transferId(), t.name, "the sender aborted the transfer");
            }
        };
    }

    /** Abandons every transfer from {@code peer} (it was lost or dropped). */
    List<Failed> abandon(PeerId peer, String reason) {
        lock.lock();
        try {
            return abandonLocked(peer, reason);
        } finally {
            lock.unlock();
        }
    }

    private List<Failed> abandonLocked(PeerId peer, String reason) {
        List<Failed> failed = new ArrayList<>();
        Iterator<Map.Entry<Key, Transfer>> it = transfers.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Transfer> e = it.next();
            if (e.getKey().peer().equals(peer)) {
                discard(e.getValue());
                failed.add(new Failed(peer, e.getKey().transferId(), e.getValue().name, reason));
                it.remove();
            }
        }
        return failed;
    }

    /** Abandons everything (shutdown). */
    void close() {
        lock.lock();
        try {
            transfers.values().forEach(FileReceiver::discard);
            transfers.clear();
        } finally {
            lock.unlock();
        }
    }

    private Outcome start(Key key, Header h) {
        String name = safeName(h.name());
        if (transfers.containsKey(key)) {
            return new Failed(key.peer(), key.transferId(), name, "a transfer with this id is already running");
        }
        if (h.size() > maxFileBytes) {
            return new Failed(key.peer(), key.transferId(), name, "file of " + h.size() + " bytes is larger than the limit of " + maxFileBytes);
        }
        long running = transfers.keySet().stream().filter(k -> k.peer().equals(key.peer())).count();
        if (running >= MAX_TRANSFERS_PER_PEER) {
            return new Failed(key.peer(), key.transferId(), name, "more than " + MAX_TRANSFERS_PER_PEER + " transfers at once from one peer");
        }
        Transfer t;
        try {
            Files.createDirectories(directory);
            Path partial = Files.createTempFile(directory, ".incoming-", ".part");
            t = new Transfer(name, h.size(), h.sha256(), partial,
                    FileChannel.open(partial, StandardOpenOption.WRITE), MessageDigest.getInstance("SHA-256"));
        } catch (IOException | NoSuchAlgorithmException e) {
            return new Failed(key.peer(), key.transferId(), name, "cannot write to " + directory + ": " + e.getMessage());
        }
        transfers.put(key, t);
        return t.size == 0 ? finish(key, t) : new Progress(key.peer(), name, 0, t.size);
    }

    private Outcome append(Key key, Chunk c) {
        Transfer t = transfers.get(key);
        if (t == null) {
            return new Failed(key.peer(), key.transferId(), "?", "a chunk of an unknown transfer");
        }
        ByteBuffer data = c.data();
        if (c.offset() != t.received || t.received + data.remaining() > t.size) {
            transfers.remove(key);
            discard(t);
            return new Failed(key.peer(), key.transferId(), t.name, "chunk at offset " + c.offset() + " of " + data.remaining()
                    + " bytes does not follow the " + t.received + " bytes received of " + t.size);
        }
        try {
            t.digest.update(data.duplicate());
            while (data.hasRemaining()) {
                t.received += t.channel.write(data);
            }
        } catch (IOException e) {
            transfers.remove(key);
            discard(t);
            return new Failed(key.peer(), key.transferId(), t.name, "cannot write: " + e.getMessage());
        }
        return t.received == t.size ? finish(key, t) : new Progress(key.peer(), t.name, t.received, t.size);
    }

    private Outcome finish(Key key, Transfer t) {
        transfers.remove(key);
        byte[] actual = t.digest.digest();
        if (!MessageDigest.isEqual(actual, t.expectedSha256)) {
            discard(t);
            return new Failed(key.peer(), key.transferId(), t.name, "SHA-256 mismatch: the file arrived damaged and was deleted");
        }
        try {
            t.channel.force(true);
            t.channel.close();
            Path saved = moveToFreeName(t.partial, t.name);
            return new Completed(key.peer(), key.transferId(), saved, t.size, HexFormat.of().formatHex(actual));
        } catch (IOException e) {
            discard(t);
            return new Failed(key.peer(), key.transferId(), t.name, "cannot save: " + e.getMessage());
        }
    }

    /** Moves to {@code name}, or {@code name (1)}, {@code name (2)}... never replacing a file. */
    private Path moveToFreeName(Path partial, String name) throws IOException {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        for (int n = 0; n < 1000; n++) {
            Path target = inside(n == 0 ? name : stem + " (" + n + ")" + extension);
            try {
                return Files.move(partial, target);
            } catch (FileAlreadyExistsException e) {
                // try the next name
            }
        }
        throw new IOException("no free name for " + name + " in " + directory);
    }

    private Path inside(String safeName) throws IOException {
        Path target;
        try {
            target = directory.resolve(safeName).normalize();
        } catch (InvalidPathException e) {
            // The file system's name encoding (a POSIX "C" locale is ASCII) cannot spell a letter that
            // safeName kept: fall back to ASCII rather than fail the transfer.
            StringBuilder ascii = new StringBuilder(safeName.length());
            safeName.codePoints().forEach(cp -> ascii.appendCodePoint(cp < 0x80 ? cp : '_'));
            target = directory.resolve(ascii.toString()).normalize();
        }
        if (!Objects.equals(target.getParent(), directory)) {
            throw new IOException("refusing to write outside " + directory + ": " + safeName);
        }
        return target;
    }

    private static void discard(Transfer t) {
        try {
            t.channel.close();
            Files.deleteIfExists(t.partial);
        } catch (IOException e) {
            // best effort: a leftover .part file is harmless and hidden
        }
    }

    /**
     * A file name that is safe in any directory: the last path element of what the sender gave, with
     * every character other than letters, digits and {@code . - _ + ( ) ,} and space replaced by
     * {@code _}, no leading dots or spaces (no hidden files, no {@code ..}), at most 100 characters.
     */
    static String safeName(String given) {
        String base = given;
        int cut = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
        if (cut >= 0) {
            base = base.substring(cut + 1);
        }
        StringBuilder safe = new StringBuilder(base.length());
        base.codePoints().forEach(cp -> {
            boolean allowed = Character.isLetterOrDigit(cp) || ".-_+(), ".indexOf(cp) >= 0;
            safe.appendCodePoint(allowed ? cp : '_');
        });
        int start = 0;
        while (start < safe.length() && (safe.charAt(start) == '.' || safe.charAt(start) == ' ')) {
            start++;
        }
        String name = safe.substring(start).stripTrailing();
        while (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1).stripTrailing();
        }
        if (name.length() > MAX_SAFE_NAME_CHARS) {
            int dot = name.lastIndexOf('.');
            String extension = dot > 0 && name.length() - dot <= 10 ? name.substring(dot) : "";
            name = name.substring(0, MAX_SAFE_NAME_CHARS - extension.length()) + extension;
        }
        return name.isEmpty() ? "file" : name;
    }
}
