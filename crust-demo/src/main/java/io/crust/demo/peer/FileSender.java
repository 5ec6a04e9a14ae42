package io.crust.demo.peer;

import io.crust.core.CrustException;
import io.crust.core.Peer;
import io.crust.core.PeerId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sends files as {@link FileMessages}, the sending half of {@link FileReceiver}: a header with the
 * size, the SHA-256 and the name, then the file in chunks, then a wait for the receiver's verdict (its
 * {@code Result} message says whether it saved the file after checking size and hash).
 *
 * <pre>
 *   sender                                  receiver
 *     HEADER(id, size, sha256, name)  ----&gt;   temporary file opened
 *     CHUNK(id, offset, bytes) ...    ----&gt;   offsets checked, bytes written
 *                                     &lt;----   RESULT(id, saved)   (after size and SHA-256 are checked)
 *     ABORT(id)                       ----&gt;   (instead, when the sender cannot go on)
 * </pre>
 *
 * Thread-safe: the command thread sends (and blocks for the verdict); the event thread hands over
 * verdicts ({@link #onResult}) and lost peers ({@link #onPeerLost}).
 */
final class FileSender {
    /** Told how far a transfer has got. */
    interface Progress {
        void update(String what, long done, long total);
    }

    /** A file the receiver confirmed it saved. */
    record Sent(Path path, long bytes, byte[] sha256) {
    }

    /** How a transfer ended at the far end: saved or not, or the peer lost before it said ({@code lost} not null). */
    private record Verdict(boolean saved, String lost) {
    }

    private record Pending(PeerId peer, BlockingQueue<Verdict> verdict) {
    }

    private final int chunkBytes;
    private final Progress progress;
    private final SecureRandom random = new SecureRandom();
    /** Transfers waiting for the receiver's verdict, by transfer id. */
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    FileSender(int chunkBytes, Progress progress) {
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException("chunkBytes must be positive: " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
        this.progress = progress;
    }

    /**
     * Sends the regular file at {@code path} to {@code peer} and waits for the receiver's verdict (see
     * {@link #resultTimeout}).
     *
     * @throws CrustException if the file cannot be read, the peer is lost, the receiver did not save
     *     the file, or no verdict came in time
     */
    Sent send(Peer peer, Path path) throws CrustException {
        String name = FileReceiver.safeName(path.getFileName().toString());
        long transferId = random.nextLong();
        Pending waiting = new Pending(peer.id(), new ArrayBlockingQueue<>(1));
        pending.put(transferId, waiting);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = file.size();
            byte[] sha256 = sha256(file);
            peer.send(FileMessages.header(transferId, size, sha256, name));
            sendChunks(peer, file, transferId, name, size);
            Verdict verdict = waiting.verdict().poll(resultTimeout(size).toNanos(), TimeUnit.NANOSECONDS);
            if (verdict == null) {
                throw new CrustException("sent " + path + " but " + peer.id().shortForm() + " did not confirm it within "
                        + resultTimeout(size).toSeconds() + " s");
            }
            if (verdict.lost() != null) {
                throw new CrustException(peer.id().shortForm() + " was lost before it confirmed " + path + ": " + verdict.lost());
            }
            if (!verdict.saved()) {
                throw new CrustException(peer.id().shortForm() + " did not save " + path + " (see its output for why)");
            }
            return new Sent(path, size, sha256);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrustException("interrupted while sending " + path);
        } catch (IOException e) {
            try {
                peer.send(FileMessages.abort(transferId));
            } catch (CrustException ignored) {
                // the connection is gone; the receiver abandons the transfer when it loses us
            }
            throw new CrustException("cannot send " + path + ": " + e.getMessage(), e);
        } finally {
            pending.remove(transferId);
        }
    }

    private void sendChunks(Peer peer, FileChannel file, long transferId, String name, long size)
            throws IOException, CrustException {
        long offset = 0;
        progress.update("sending " + name, 0, size);
        while (offset < size) {
            int n = (int) Math.min(chunkBytes, size - offset);
            ByteBuffer chunk = FileMessages.chunk(transferId, offset, n);
            while (chunk.hasRemaining()) {
                if (file.read(chunk, offset + chunk.position() - FileMessages.CHUNK_HEADER_BYTES) < 0) {
                    throw new IOException("the file got shorter while it was being sent");
                }
            }
            peer.send(chunk.array());
            offset += n;
            progress.update("sending " + name, offset, size);
        }
    }

    /** The receiver's verdict on one of our transfers; ignored unless {@code from} is the peer it went to. */
    void onResult(PeerId from, FileMessages.Result result) {
        Pending waiting = pending.get(result.transferId());
        if (waiting != null && waiting.peer().equals(from)) {
            waiting.verdict().offer(new Verdict(result.saved(), null));
        }
    }

    /** A peer is gone ({@code why}: the reason its loss gave): its transfers fail at once instead of waiting out their timeout. */
    void onPeerLost(PeerId peer, String why) {
        pending.values().stream().filter(p -> p.peer().equals(peer)).forEach(p -> p.verdict().offer(new Verdict(false, why)));
    }

    /** The chunks are queued, not delivered, when the last send returns: allow for the rest to drain. */
    static Duration resultTimeout(long size) {
        return Duration.ofSeconds(60 + size / (1024 * 1024));
    }

    private static byte[] sha256(FileChannel file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        long position = 0;
        int n;
        while ((n = file.read(buffer, position)) >= 0) {
            position += n;
            buffer.flip();
            digest.update(buffer);
            buffer.clear();
        }
        return digest.digest();
    }
}
