package io.crust.core.noise;

import java.util.Locale;
import javax.crypto.AEADBadTagException;

/**
 * Bulk AEAD throughput, JDK against BouncyCastle, for the secure channel's choice of provider. Not a
 * test: run by hand and read the figures (see docs/handshake.md, "AEAD measurement"):
 *
 * <pre>
 * java -cp crust-core/target/test-classes:crust-core/target/classes:bcprov.jar \
 *     io.crust.core.noise.AeadBenchmark [seconds per case, default 3]
 * </pre>
 */
public final class AeadBenchmark {
    private AeadBenchmark() {
    }

    public static void main(String[] args) throws AEADBadTagException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        System.out.printf("java %s, %s %s, %d cpus%n", Runtime.version(), System.getProperty("os.arch"),
                System.getProperty("os.name"), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-10s %-14s %8s %14s %14s%n", "cipher", "provider", "bytes", "encrypt MB/s", "decrypt MB/s");
        for (CipherFunction function : CipherFunction.values()) {
            for (int size : new int[] {16 * 1024, 64 * 1024}) {
                for (AeadProvider provider : AeadProvider.values()) {
                    double[] rates = measure(function, provider, size, seconds);
                    System.out.printf(Locale.ROOT, "%-10s %-14s %8d %14.1f %14.1f%n", function.noiseName(), provider, size,
                            rates[0], rates[1]);
                }
            }
        }
    }

    private static double[] measure(CipherFunction function, AeadProvider provider, int size, double seconds)
            throws AEADBadTagException {
        byte[] key = new byte[32];
        key[0] = 1;
        Aead aead = provider.newAead(function, key);
        byte[] plaintext = new byte[size];
        byte[] ciphertext = new byte[size + Aead.TAG_BYTES];
        byte[] decrypted = new byte[size];
        byte[] ad = new byte[0];
        long nonce = 0;
        // Warm-up: let the JIT compile both paths.
        long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < warmEnd) {
            aead.encrypt(nonce, ad, plaintext, 0, size, ciphertext, 0);
            aead.decrypt(nonce, ad, ciphertext, 0, ciphertext.length, decrypted, 0);
            nonce++;
        }
        long encryptBytes = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        while ((now = System.nanoTime()) < end) {
            aead.encrypt(nonce++, ad, plaintext, 0, size, ciphertext, 0);
            encryptBytes += size;
        }
        double encryptRate = encryptBytes / ((now - start) / 1e9) / 1e6;
        // Decrypt the same ciphertext repeatedly (decryption does not forbid reusing a nonce).
        aead.encrypt(nonce, ad, plaintext, 0, size, ciphertext, 0);
        long decryptBytes = 0;
        start = System.nanoTime();
        end = start + (long) (seconds * 1e9);
        while ((now = System.nanoTime()) < end) {
            aead.decrypt(nonce, ad, ciphertext, 0, ciphertext.length, decrypted, 0);
            decryptBytes += size;
        }
        double decryptRate = decryptBytes / ((now - start) / 1e9) / 1e6;
        return new double[] {encryptRate, decryptRate};
    }
}
