package io.crust.bench;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The public-key and hash work of one Crust handshake (Noise XX over X25519 and SHA-256, each end
 * signing its static key with its Ed25519 identity), both ends, computed by the JDK's providers and by
 * BouncyCastle, alternating in one process, counted for SECONDS each round. No I/O and no AEAD (the
 * AEAD is the JDK's in both, as in Crust's runtime): this isolates what choosing the provider changes.
 *
 * <p>Per handshake: 2 X25519 key pairs (the ephemerals), 6 X25519 agreements (ee, es, se at each end),
 * 2 Ed25519 signatures and 2 verifications (the remote public key decoded each time), 8 HKDFs of 3
 * HMAC-SHA256 each and 16 SHA-256 hashes (MixKey and MixHash). Before measuring, both providers must
 * give the same agreement and the same signature for the same keys, so the figures compare equal work.
 *
 * <p>{@code java -cp CP io.crust.bench.HandshakeCrypto SECONDS ROUNDS}
 */
public final class HandshakeCrypto {
    private static final SecureRandom RANDOM = new SecureRandom();

    private HandshakeCrypto() {
    }

    /** The operations, by provider; key pairs are whatever the provider keeps ({@code [0]} private, {@code [1]} raw public). */
    interface Provider {
        Object[] x25519KeyPair() throws Exception;

        byte[] x25519(Object privateKey, byte[] remotePublic) throws Exception;

        Object signingKey(byte[] seed) throws Exception;

        byte[] sign(Object signingKey, byte[] message) throws Exception;

        boolean verify(byte[] publicKey, byte[] message, byte[] signature) throws Exception;

        byte[] hmac(byte[] key, byte[] data) throws Exception;

        byte[] hash(byte[] a, byte[] b) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Provider jdk = new Jdk();
        Provider bc = new BouncyCastle();
        crossCheck(jdk, bc);
        byte[] seedA = random(32);
        byte[] seedB = random(32);
        for (int round = 1; round <= rounds; round++) {
            for (Provider p : new Provider[] {jdk, bc}) {
                Object keyA = p.signingKey(seedA);
                Object keyB = p.signingKey(seedB);
                byte[] publicA = Ed25519PublicKey.of(seedA);
                byte[] publicB = Ed25519PublicKey.of(seedB);
                long count = 0;
                long start = System.nanoTime();
                long deadline = start + (long) (seconds * 1e9);
                while (System.nanoTime() < deadline) {
                    handshake(p, keyA, publicA, keyB, publicB);
                    count++;
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                Figures.of("handshake-crypto").put("provider", p == jdk ? "jdk" : "bouncycastle").put("round", round)
                        .put("handshakes", count).put("seconds", elapsed).put("perSecond", count / elapsed).print();
            }
        }
    }

    /** The crypto of one XX handshake, both ends (the static X25519 keys are made per handshake too: same cost as an ephemeral). */
    private static void handshake(Provider p, Object signA, byte[] idA, Object signB, byte[] idB) throws Exception {
        Object[] eA = p.x25519KeyPair();
        Object[] eB = p.x25519KeyPair();
        Object[] sA = eA; // the static keys are long-lived: agreements with them cost the same
        Object[] sB = eB;
        byte[] ck = p.hash(new byte[32], new byte[32]);
        ck = hkdf(p, ck, p.x25519(eA[0], (byte[]) eB[1])); // ee, initiator
        ck = hkdf(p, ck, p.x25519(eB[0], (byte[]) eA[1])); // ee, responder
        ck = hkdf(p, ck, p.x25519(eA[0], (byte[]) sB[1])); // es, initiator
        ck = hkdf(p, ck, p.x25519(sB[0], (byte[]) eA[1])); // es, responder
        byte[] sigB = p.sign(signB, (byte[]) sB[1]);
        if (!p.verify(idB, (byte[]) sB[1], sigB)) {
            throw new IllegalStateException("signature of B refused");
        }
        ck = hkdf(p, ck, p.x25519(sA[0], (byte[]) eB[1])); // se, initiator
        ck = hkdf(p, ck, p.x25519(eB[0], (byte[]) sA[1])); // se, responder
        byte[] sigA = p.sign(signA, (byte[]) sA[1]);
        if (!p.verify(idA, (byte[]) sA[1], sigA)) {
            throw new IllegalStateException("signature of A refused");
        }
        hkdf(p, ck, new byte[0]); // Split, initiator
        hkdf(p, ck, new byte[0]); // Split, responder
        byte[] h = ck;
        for (int i = 0; i < 16; i++) {
            h = p.hash(h, sigA);
        }
    }

    private static byte[] hkdf(Provider p, byte[] chainingKey, byte[] input) throws Exception {
        byte[] temp = p.hmac(chainingKey, input);
        byte[] one = p.hmac(temp, new byte[] {1});
        byte[] twoInput = Arrays.copyOf(one, one.length + 1);
        twoInput[one.length] = 2;
        p.hmac(temp, twoInput);
        return one;
    }

    private static void crossCheck(Provider jdk, Provider bc) throws Exception {
        Object[] a = jdk.x25519KeyPair();
        Object[] b = bc.x25519KeyPair();
        byte[] viaJdk = jdk.x25519(a[0], (byte[]) b[1]);
        byte[] viaBc = bc.x25519(b[0], (byte[]) a[1]);
        if (!Arrays.equals(viaJdk, viaBc)) {
            throw new IllegalStateException("X25519: the providers disagree");
        }
        byte[] seed = random(32);
        byte[] message = random(32);
        byte[] s1 = jdk.sign(jdk.signingKey(seed), message);
        byte[] s2 = bc.sign(bc.signingKey(seed), message);
        if (!Arrays.equals(s1, s2) || !jdk.verify(Ed25519PublicKey.of(seed), message, s2)
                || !bc.verify(Ed25519PublicKey.of(seed), message, s1)) {
            throw new IllegalStateException("Ed25519: the providers disagree");
        }
        if (!Arrays.equals(jdk.hmac(seed, message), bc.hmac(seed, message))) {
            throw new IllegalStateException("HMAC-SHA256: the providers disagree");
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static final class Ed25519PublicKey {
        static byte[] of(byte[] seed) {
            byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
            Ed25519.generatePublicKey(seed, 0, publicKey, 0);
            return publicKey;
        }
    }

    /** java.security and javax.crypto: XDH, Ed25519, HmacSHA256, SHA-256. Raw keys go through the key specs. */
    static final class Jdk implements Provider {
        private final KeyPairGenerator x25519 = KeyPairGenerator.getInstance("X25519");
        private final KeyFactory xdh = KeyFactory.getInstance("XDH");
        private final KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        private final KeyFactory eddsa = KeyFactory.getInstance("Ed25519");
        private final Signature ed25519 = Signature.getInstance("Ed25519");
        private final Mac mac = Mac.getInstance("HmacSHA256");
        private final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");

        Jdk() throws Exception {
        }

        @Override
        public Object[] x25519KeyPair() {
            KeyPair pair = x25519.generateKeyPair();
            return new Object[] {pair.getPrivate(), littleEndian(((XECPublicKey) pair.getPublic()).getU(), 32)};
        }

        @Override
        public byte[] x25519(Object privateKey, byte[] remotePublic) throws Exception {
            PrivateKey key = privateKey instanceof PrivateKey k ? k
                    : xdh.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, (byte[]) privateKey));
            byte[] u = reverse(remotePublic);
            u[0] &= 0x7f; // RFC 7748: the top bit of the u-coordinate is ignored
            PublicKey remote = xdh.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, u)));
            agreement.init(key);
            agreement.doPhase(remote, true);
            return agreement.generateSecret();
        }

        @Override
        public Object signingKey(byte[] seed) throws Exception {
            return eddsa.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        }

        @Override
        public byte[] sign(Object signingKey, byte[] message) throws Exception {
            ed25519.initSign((PrivateKey) signingKey);
            ed25519.update(message);
            return ed25519.sign();
        }

        @Override
        public boolean verify(byte[] publicKey, byte[] message, byte[] signature) throws Exception {
            byte[] y = reverse(publicKey);
            boolean xOdd = (y[0] & 0x80) != 0;
            y[0] &= 0x7f;
            PublicKey key = eddsa.generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519,
                    new EdECPoint(xOdd, new BigInteger(1, y))));
            ed25519.initVerify(key);
            ed25519.update(message);
            return ed25519.verify(signature);
        }

        @Override
        public byte[] hmac(byte[] key, byte[] data) throws Exception {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        }

        @Override
        public byte[] hash(byte[] a, byte[] b) {
            sha256.update(a);
            return sha256.digest(b);
        }

        static byte[] privateScalar(PrivateKey key) {
            return ((XECPrivateKey) key).getScalar().orElseThrow();
        }

        private static byte[] littleEndian(BigInteger value, int length) {
            byte[] big = value.toByteArray();
            byte[] out = new byte[length];
            for (int i = 0; i < Math.min(length, big.length); i++) {
                out[i] = big[big.length - 1 - i];
            }
            return out;
        }

        private static byte[] reverse(byte[] bytes) {
            byte[] out = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                out[i] = bytes[bytes.length - 1 - i];
            }
            return out;
        }
    }

    /** BouncyCastle's lightweight API, as crust-core uses it (rfc7748.X25519, rfc8032.Ed25519, HMac over SHA256Digest). */
    static final class BouncyCastle implements Provider {
        @Override
        public Object[] x25519KeyPair() {
            byte[] privateKey = random(32);
            byte[] publicKey = new byte[32];
            X25519.scalarMultBase(privateKey, 0, publicKey, 0);
            return new Object[] {privateKey, publicKey};
        }

        @Override
        public byte[] x25519(Object privateKey, byte[] remotePublic) {
            byte[] key = privateKey instanceof PrivateKey k ? Jdk.privateScalar(k) : (byte[]) privateKey;
            byte[] shared = new byte[32];
            if (!X25519.calculateAgreement(key, 0, remotePublic, 0, shared, 0)) {
                throw new IllegalStateException("low-order point");
            }
            return shared;
        }

        @Override
        public Object signingKey(byte[] seed) {
            return seed;
        }

        @Override
        public byte[] sign(Object signingKey, byte[] message) {
            byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
            Ed25519.sign((byte[]) signingKey, 0, message, 0, message.length, signature, 0);
            return signature;
        }

        @Override
        public boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
            return Ed25519.validatePublicKeyFull(publicKey, 0)
                    && Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
        }

        @Override
        public byte[] hmac(byte[] key, byte[] data) {
            HMac mac = new HMac(new SHA256Digest());
            mac.init(new KeyParameter(key));
            mac.update(data, 0, data.length);
            byte[] out = new byte[32];
            mac.doFinal(out, 0);
            return out;
        }

        @Override
        public byte[] hash(byte[] a, byte[] b) {
            SHA256Digest digest = new SHA256Digest();
            digest.update(a, 0, a.length);
            digest.update(b, 0, b.length);
            byte[] out = new byte[32];
            digest.doFinal(out, 0);
            return out;
        }
    }
}
