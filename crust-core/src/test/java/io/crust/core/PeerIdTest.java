package io.crust.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PeerIdTest {
    @Test
    void textFormIs52LowercaseBase32CharactersAndParsesBack() {
        PeerId id = Identity.generate().peerId();
        String text = id.toString();
        assertThat(text).hasSize(52).matches("[a-z2-7]{52}");
        assertThat(PeerId.parse(text)).isEqualTo(id);
        assertThat(PeerId.parse("  " + text.toUpperCase() + "\n")).isEqualTo(id);
        assertThat(id.shortForm()).isEqualTo(text.substring(0, 8));
    }

    @Test
    void knownKeyHasAKnownTextForm() {
        // RFC 8032 section 7.1, test 1 public key
        byte[] key = java.util.HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        // RFC 4648 base32 of those bytes, lowercase, without padding
        assertThat(PeerId.fromPublicKey(key).toString()).isEqualTo("25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena");
    }

    @Test
    void malformedTextIsRefusedWithAMessageSayingWhy() {
        String good = Identity.generate().peerId().toString();
        assertThatThrownBy(() -> PeerId.parse(good.substring(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("52 base32 characters, got 51");
        assertThatThrownBy(() -> PeerId.parse("1" + good.substring(1))).hasMessageContaining("'1' at position 1 is not base32");
        assertThatThrownBy(() -> PeerId.parse(good.substring(0, 51) + "7")).hasMessageContaining("padding bits");
        assertThatThrownBy(() -> PeerId.parse(null)).hasMessageContaining("missing");
        assertThatThrownBy(() -> PeerId.fromPublicKey(new byte[31])).hasMessageContaining("32 bytes, got 31");
    }

    @Test
    void verifyAcceptsOnlyTheSignersSignatureOfTheSameMessage() {
        Identity alice = Identity.generate();
        byte[] message = "hello".getBytes();
        byte[] signature = alice.sign(message);
        assertThat(alice.peerId().verify(message, signature)).isTrue();
        assertThat(alice.peerId().verify("hellO".getBytes(), signature)).isFalse();
        assertThat(Identity.generate().peerId().verify(message, signature)).isFalse();
        assertThat(alice.peerId().verify(message, new byte[10])).isFalse();
    }

    @Test
    void orderIsByUnsignedKeyBytesAndConsistentWithEquals() {
        PeerId a = Identity.generate().peerId();
        PeerId b = Identity.generate().peerId();
        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
        assertThat(a.compareTo(PeerId.parse(a.toString()))).isZero();
        assertThat(a.hashCode()).isEqualTo(PeerId.parse(a.toString()).hashCode());
    }
}
