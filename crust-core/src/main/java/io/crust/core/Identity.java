package io.crust.core;

import io.crust.core.noise.DhFunction;
import io.crust.core.noise.DhKeyPair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-term keys of a node: an Ed25519 signing key pair, whose public key is the {@link PeerId},
 * and an X25519 key pair used as the static key of the Noise handshake. The handshake binds the two
 * by signing the X25519 public key with the Ed25519 key.
 *
 * <p>{@link #loadOrCreate(Path)} keeps the keys in {@code dataDir/identity.key}, readable by the owner
 * only (mode 0600 where the file system supports POSIX permissions). The file is written atomically:
 * to a temporary file in the same directory, forced to disk, then moved over the old name.
 *
 * <pre>
 * identity.key (72 bytes)
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              magic "CRUSTID" (7 bytes) ...                    |
 * +                                               +-+-+-+-+-+-+-+-+
 * |                                               |  version = 1  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Ed25519 private key seed (32 bytes, RFC 8032)        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          X25519 private key (32 bytes, RFC 7748)              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Identity {
    private static final Logger LOG = LoggerFactory.getLogger(Identity.class);
    /** Name of the key file inside the data directory. */
    public static final String FILE_NAME = "identity.key";
    private static final byte[] MAGIC = {'C', 'R', 'U', 'S', 'T', 'I', 'D', 1};
    private static final int FILE_BYTES = MAGIC.length + Ed25519.SECRET_KEY_SIZE + 32;

    private final byte[] signingSeed;
    private final PeerId peerId;
    private final DhKeyPair noiseStaticKeyPair;

    private Identity(byte[] signingSeed, byte[] noisePrivateKey) {
        this.signingSeed = signingSeed.clone();
        byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(this.signingSeed, 0, publicKey, 0);
        this.peerId = PeerId.fromPublicKey(publicKey);
        this.noiseStaticKeyPair = DhFunction.CURVE25519.keyPairFromPrivateKey(noisePrivateKey);
    }

    /** {@return a new random identity that lives only in memory} */
    public static Identity generate() {
        byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
        byte[] noise = new byte[32];
        SecureRandom random = new SecureRandom();
        random.nextBytes(seed);
        random.nextBytes(noise);
        try {
            return new Identity(seed, noise);
        } finally {
            Arrays.fill(seed, (byte) 0);
            Arrays.fill(noise, (byte) 0);
        }
    }

    /**
     * Loads the identity kept in {@code dataDir/identity.key}, or creates one there (and the directory)
     * on first start.
     *
     * @param dataDir the node's data directory
     * @return the identity kept there
     * @throws IOException if the file cannot be read or written, or is not a Crust identity file
     */
    public static Identity loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            return load(file);
        } catch (NoSuchFileException e) {
            Files.createDirectories(dataDir);
            Identity created = generate();
            created.writeAtomically(file);
            LOG.info("created identity {} in {}", created.peerId, file);
            return created;
        }
    }

    private static Identity load(Path file) throws IOException {
        warnIfReadableByOthers(file);
        byte[] bytes;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() != FILE_BYTES) {
                throw new CrustException(file + " is not a Crust identity file: " + channel.size()
                        + " bytes instead of " + FILE_BYTES + "; move it away to create a new identity");
            }
            ByteBuffer buffer = ByteBuffer.allocate(FILE_BYTES);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read until full or end of file
            }
            bytes = buffer.array();
        }
        try {
            if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new CrustException(file + " is not a Crust identity file (version 1); move it away to create a new identity");
            }
            byte[] seed = Arrays.copyOfRange(bytes, MAGIC.length, MAGIC.length + 32);
            byte[] noise = Arrays.copyOfRange(bytes, MAGIC.length + 32, FILE_BYTES);
            try {
                return new Identity(seed, noise);
            } finally {
                Arrays.fill(seed, (byte) 0);
                Arrays.fill(noise, (byte) 0);
            }
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                permissions.retainAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                        PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
                if (!permissions.isEmpty()) {
                    LOG.warn("{} holds private keys but others may access it ({}); run chmod 600 on it", file, permissions);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read the permissions of {}: {}", file, e.toString());
        }
    }

    private void writeAtomically(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = createOwnerOnlyTempFile(dir);
        byte[] bytes = new byte[FILE_BYTES];
        try {
            System.arraycopy(MAGIC, 0, bytes, 0, MAGIC.length);
            System.arraycopy(signingSeed, 0, bytes, MAGIC.length, 32);
            byte[] noise = noiseStaticKeyPair.privateKey();
            System.arraycopy(noise, 0, bytes, MAGIC.length + 32, 32);
            Arrays.fill(noise, (byte) 0);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new CrustException("cannot replace " + file + " atomically", e);
            }
            forceDirectory(dir);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            Files.deleteIfExists(temp);
        }
    }

    private static Path createOwnerOnlyTempFile(Path dir) throws IOException {
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve(FILE_NAME + ".tmp-" + HexFormat.of().toHexDigits(random.nextInt()));
            try {
                return Files.createFile(temp, attributes);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** Makes the rename durable; some platforms cannot open a directory, which only loses durability. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    /** {@return this node's peer id: its Ed25519 public key} */
    public PeerId peerId() {
        return peerId;
    }

    /**
     * Signs with this identity's Ed25519 key.
     *
     * @param message the bytes to sign, whole
     * @return the 64-byte signature of {@code message} (RFC 8032 pure Ed25519)
     */
    public byte[] sign(byte[] message) {
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(signingSeed, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    /**
     * {@return the X25519 static key pair of the Noise handshake} Its type lives in a package this module does
     * not export: only crust-core itself can use it.
     */
    @SuppressWarnings("exports")
    public DhKeyPair noiseStaticKeyPair() {
        return noiseStaticKeyPair;
    }

    @Override
    public String toString() {
        return "Identity[" + peerId + "]";
    }
}
