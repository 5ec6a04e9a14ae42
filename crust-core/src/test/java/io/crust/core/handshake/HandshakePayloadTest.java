package io.crust.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.HandshakeException;
import io.crust.core.HandshakeException.Reason;
import io.crust.core.Identity;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HandshakePayloadTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void helloIsTypeVersionAndAnEightByteNetworkTag() throws Exception {
        byte[] encoded = HandshakePayload.Hello.of(new HandshakeParams("crust", 1, HandshakeParams.DEFAULT_TIMEOUT, 1024)).encode();
        byte[] tag = HandshakePayload.networkTag("crust");
        assertThat(HEX.formatHex(encoded)).isEqualTo(
                "01"            // type: Hello
                + "0001"        // protocol version 1
                + HEX.formatHex(tag)); // SHA-256("crust-network:crust"), first 8 bytes
        assertThat(HEX.formatHex(tag)).isEqualTo("9912ccb8d9c04c5a")
                .isEqualTo(HEX.formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest("crust-network:crust".getBytes()), 0, 8));
        HandshakePayload.Hello decoded = (HandshakePayload.Hello) HandshakePayload.decode(encoded);
        assertThat(decoded.protocolVersion()).isEqualTo(1);
        assertThat(decoded.networkTag()).isEqualTo(tag);
    }

    @Test
    void rejectIsTypeReasonCodeAndLengthPrefixedText() throws Exception {
        byte[] encoded = new HandshakePayload.Reject(Reason.WRONG_PEER, "no").encode();
        assertThat(HEX.formatHex(encoded)).isEqualTo(
                "03"            // type: Reject
                + "03"          // reason code 3: WRONG_PEER
                + "0002"        // text length
                + "6e6f");      // "no"
        HandshakePayload.Reject decoded = (HandshakePayload.Reject) HandshakePayload.decode(encoded);
        assertThat(decoded.reason()).isEqualTo(Reason.WRONG_PEER);
        assertThat(decoded.text()).isEqualTo("no");
    }

    @Test
    void identityProofCarriesNameKeyASignatureOverTheNoiseStaticKeyAndTheDialNumber() throws Exception {
        Identity identity = Identity.generate();
        HandshakeParams params = HandshakeParams.defaults("net");
        byte[] encoded = XxHandshake.identityProof(identity, params, 0x0102030405060708L, null).encode();
        assertThat(encoded).hasSize(1 + 2 + 1 + 3 + 32 + 64 + 8);
        assertThat(HEX.formatHex(encoded, encoded.length - 8, encoded.length)).isEqualTo("0102030405060708"); // dial number
        assertThat(HEX.formatHex(encoded, 0, 7)).isEqualTo(
                "02"            // type: IdentityProof
                + "0001"        // protocol version 1
                + "03"          // network name length
                + "6e6574");    // "net"
        assertThat(Arrays.copyOfRange(encoded, 7, 39)).isEqualTo(identity.peerId().publicKey());
        HandshakePayload.IdentityProof proof = (HandshakePayload.IdentityProof) HandshakePayload.decode(encoded);
        assertThat(proof.peerId()).isEqualTo(identity.peerId());
        assertThat(proof.networkName()).isEqualTo("net");
        assertThat(proof.dialNumber()).isEqualTo(0x0102030405060708L);
        assertThat(proof.provesStaticKey(identity.noiseStaticKeyPair().publicKey())).isTrue();
        assertThat(proof.provesStaticKey(Identity.generate().noiseStaticKeyPair().publicKey())).isFalse();
        // the signed bytes carry the domain-separation prefix
        assertThat(identity.peerId().verify(identity.noiseStaticKeyPair().publicKey(), proof.signature())).isFalse();
    }

    @Test
    void anInitiatorsResumptionOfferFollowsTheDialNumberAndOtherTrailingLengthsAreRefused() throws Exception {
        Identity identity = Identity.generate();
        HandshakeParams params = HandshakeParams.defaults("net");
        byte[] tag = HEX.parseHex("00112233445566778899aabbccddeeff");
        byte[] encoded = XxHandshake.identityProof(identity, params, 5, new ResumeOffer(tag, 0x0a0b)).encode();
        assertThat(encoded).hasSize(1 + 2 + 1 + 3 + 32 + 64 + 8 + 16 + 8);
        assertThat(HEX.formatHex(encoded, encoded.length - 24, encoded.length))
                .isEqualTo("00112233445566778899aabbccddeeff" + "0000000000000a0b");
        HandshakePayload.IdentityProof proof = (HandshakePayload.IdentityProof) HandshakePayload.decode(encoded);
        assertThat(proof.resume()).isEqualTo(new ResumeOffer(tag, 0x0a0b));
        assertThat(proof.dialNumber()).isEqualTo(5);

        byte[] negative = encoded.clone();
        negative[negative.length - 8] = (byte) 0x80;
        assertThatThrownBy(() -> HandshakePayload.decode(negative)).hasMessageContaining("negative count");
        byte[] oneShort = Arrays.copyOf(encoded, encoded.length - 1);
        assertThatThrownBy(() -> HandshakePayload.decode(oneShort)).hasMessageContaining("unexpected bytes");
    }

    @Test
    void malformedPayloadsAreProtocolViolationsThatSayWhatIsWrong() {
        assertThatThrownBy(() -> HandshakePayload.decode(new byte[0]))
                .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_VIOLATION))
                .hasMessageContaining("too short");
        assertThatThrownBy(() -> HandshakePayload.decode(new byte[] {9})).hasMessageContaining("unknown handshake payload type 9");
        assertThatThrownBy(() -> HandshakePayload.decode(HEX.parseHex("0302ffff"))).hasMessageContaining("exceeds 512");
        assertThatThrownBy(() -> HandshakePayload.decode(HEX.parseHex("0302000100aa"))).hasMessageContaining("unexpected bytes");
        assertThatThrownBy(() -> HandshakePayload.decode(HEX.parseHex("03020001ff"))).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> HandshakePayload.decode(HEX.parseHex("02000100"))).hasMessageContaining("empty network name");
    }

    @Test
    void everyReasonSurvivesTheWireAndUnknownCodesReadAsViolations() {
        for (Reason reason : Reason.values()) {
            assertThat(HandshakePayload.reasonOf(HandshakePayload.reasonCode(reason))).isEqualTo(reason);
        }
        assertThat(HandshakePayload.reasonOf(0)).isEqualTo(Reason.PROTOCOL_VIOLATION);
        assertThat(HandshakePayload.reasonOf(200)).isEqualTo(Reason.PROTOCOL_VIOLATION);
    }
}
