package io.crust.core.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class CipherStateTest {
    private static final byte[] KEY = new byte[32];
    private static final byte[] NO_AD = new byte[0];

    static {
        Arrays.fill(KEY, (byte) 7);
    }

    private static CipherState keyed(AeadProvider provider) {
        CipherState state = new CipherState(CipherFunction.CHACHAPOLY, provider);
        state.initializeKey(KEY);
        return state;
    }

    @Test
    void rekeyReplacesTheKeyWithTheEncryptionOfZerosUnderTheMaximumNonce() throws Exception {
        // Section 4.2: REKEY(k) = the first 32 bytes of ENCRYPT(k, 2^64-1, zerolen, zeros), computed here independently.
        Cipher chacha = Cipher.getInstance("ChaCha20-Poly1305");
        byte[] maxNonce = {0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1};
        chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "ChaCha20"), new IvParameterSpec(maxNonce));
        byte[] expectedKey = Arrays.copyOf(chacha.doFinal(new byte[32]), 32);

        for (AeadProvider provider : AeadProvider.values()) {
            CipherState rekeyed = keyed(provider);
            rekeyed.encryptWithAd(NO_AD, new byte[3]);
            rekeyed.rekey();
            assertThat(rekeyed.nonce()).as("rekey keeps the nonce").isEqualTo(1);
            CipherState reference = new CipherState(CipherFunction.CHACHAPOLY, provider);
            reference.initializeKey(expectedKey);
            reference.setNonce(1);
            byte[] plaintext = "after rekey".getBytes();
            assertThat(rekeyed.encryptWithAd(NO_AD, plaintext)).isEqualTo(reference.encryptWithAd(NO_AD, plaintext));
        }
    }

    @Test
    void theReservedMaximumNonceIsNeverUsedForAMessage() throws Exception {
        CipherState sender = keyed(AeadProvider.FASTEST);
        sender.setNonce(-2L); // 2^64 - 2: the last usable nonce
        sender.encryptWithAd(NO_AD, new byte[1]);
        assertThat(sender.nonce()).isEqualTo(-1L);
        assertThatThrownBy(() -> sender.encryptWithAd(NO_AD, new byte[1])).isInstanceOf(NonceExhaustedException.class);
        CipherState receiver = keyed(AeadProvider.FASTEST);
        receiver.setNonce(-1L);
        assertThatThrownBy(() -> receiver.decryptWithAd(NO_AD, new byte[17])).isInstanceOf(NonceExhaustedException.class);
    }

    @Test
    void aFailedDecryptionDoesNotAdvanceTheNonce() throws Exception {
        CipherState sender = keyed(AeadProvider.FASTEST);
        CipherState receiver = keyed(AeadProvider.FASTEST);
        byte[] ciphertext = sender.encryptWithAd(NO_AD, "hello".getBytes());
        byte[] tampered = ciphertext.clone();
        tampered[0] ^= 1;
        assertThatThrownBy(() -> receiver.decryptWithAd(NO_AD, tampered)).isInstanceOf(AEADBadTagException.class);
        assertThat(receiver.nonce()).isZero();
        assertThat(receiver.decryptWithAd(NO_AD, ciphertext)).isEqualTo("hello".getBytes());
        assertThat(receiver.nonce()).isEqualTo(1);
    }

    @Test
    void withoutAKeyEncryptionPassesPlaintextThrough() throws Exception {
        CipherState state = new CipherState(CipherFunction.AESGCM, AeadProvider.FASTEST);
        assertThat(state.hasKey()).isFalse();
        assertThat(state.encryptWithAd(NO_AD, new byte[] {1, 2})).containsExactly(1, 2);
    }

    @Test
    void bothProvidersProduceTheSameBytesForBothCiphers() throws Exception {
        for (CipherFunction function : CipherFunction.values()) {
            CipherState jdk = new CipherState(function, AeadProvider.JDK);
            CipherState bc = new CipherState(function, AeadProvider.BOUNCY_CASTLE);
            jdk.initializeKey(KEY);
            bc.initializeKey(KEY);
            for (int length : new int[] {0, 1, 63, 64, 1000, 65519}) {
                byte[] plaintext = new byte[length];
                Arrays.fill(plaintext, (byte) length);
                byte[] ad = {(byte) length};
                byte[] fromJdk = jdk.encryptWithAd(ad, plaintext);
                assertThat(fromJdk).as(function + " " + length).isEqualTo(bc.encryptWithAd(ad, plaintext));
            }
        }
    }
}
