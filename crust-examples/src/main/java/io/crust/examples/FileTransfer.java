package io.crust.examples;

import io.crust.core.CrustException;
import io.crust.core.Peer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Sends a file to a peer as messages: a header (size and name), the bytes in chunks, then the SHA-256
 * of the bytes, which the receiver checks. The peer's node must use {@code MessageDelivery.PER_PEER}.
 * Memory stays bounded at both ends: send blocks while the peer's send queue is full, and the receiver's
 * inbox, once full, stops the connection being read.
 */
public final class FileTransfer {
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final int MAX_NAME_BYTES = 255;

    private FileTransfer() {
    }

    /** Sends {@code file} to {@code peer}. */
    public static void send(Peer peer, Path file) throws IOException, NoSuchAlgorithmException {
        byte[] name = file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("file name longer than " + MAX_NAME_BYTES + " bytes");
        }
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        peer.send(ByteBuffer.allocate(8 + name.length).putLong(Files.size(file)).put(name).array());
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[CHUNK_BYTES];
            for (int n; (n = in.readNBytes(chunk, 0, chunk.length)) > 0; ) {
                byte[] message = Arrays.copyOf(chunk, n);
                sha256.update(message);
                peer.send(message);
            }
        }
        peer.send(sha256.digest());
    }

    /**
     * Receives one file from {@code peer} into {@code folder}, waiting up to {@code idle} for each
     * message, and returns where it was written.
     *
     * @throws IOException if a message is malformed or the digest does not match (the file is deleted)
     */
    public static Path receive(Peer peer, Path folder, Duration idle)
            throws IOException, InterruptedException, NoSuchAlgorithmException {
        ByteBuffer header = ByteBuffer.wrap(peer.receive(idle));
        if (header.remaining() < 9 || header.remaining() > 8 + MAX_NAME_BYTES) {
            throw new CrustException("bad file header of " + header.remaining() + " bytes");
        }
        long size = header.getLong();
        String name = StandardCharsets.UTF_8.decode(header).toString();
        if (size < 0 || !isPlainFileName(name)) {                     // never write outside the folder
            throw new CrustException("bad file header: size " + size + ", name '" + name + "'");
        }
        Path target = folder.resolve(name);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = Files.newOutputStream(target)) {
            for (long left = size; left > 0; ) {
                byte[] chunk = peer.receive(idle);
                if (chunk.length > left) {
                    throw new CrustException("the peer sent more than the " + size + " bytes it announced");
                }
                sha256.update(chunk);
                out.write(chunk);
                left -= chunk.length;
            }
        }
        byte[] expected = peer.receive(idle);
        byte[] actual = sha256.digest();
        if (!MessageDigest.isEqual(expected, actual)) {
            Files.delete(target);
            throw new CrustException("SHA-256 mismatch: the peer says " + HexFormat.of().formatHex(expected)
                    + ", the bytes give " + HexFormat.of().formatHex(actual));
        }
        return target;
    }

    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..")
                && name.chars().noneMatch(c -> c == '/' || c == '\\' || c == 0);
    }
}
