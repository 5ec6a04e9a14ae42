package io.crust.core.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.noise.HandshakePattern.Token;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakePatternTest {
    @Test
    void xxHasThreeMessagesWithTheTokensOfTheSpecification() {
        HandshakePattern xx = HandshakePattern.parse("XX");
        assertThat(xx.initiatorPreMessage()).isEmpty();
        assertThat(xx.responderPreMessage()).isEmpty();
        assertThat(xx.messages()).containsExactly(List.of(Token.E), List.of(Token.E, Token.EE, Token.S, Token.ES),
                List.of(Token.S, Token.SE));
        assertThat(xx.oneWay()).isFalse();
        assertThat(xx.pskMode()).isFalse();
    }

    @Test
    void pskModifiersInsertTokensAtTheStartOrEndOfMessages() {
        HandshakePattern nn = HandshakePattern.parse("NNpsk0+psk2");
        assertThat(nn.messages()).containsExactly(List.of(Token.PSK, Token.E), List.of(Token.E, Token.EE, Token.PSK));
        assertThat(nn.pskCount()).isEqualTo(2);
        assertThat(nn.pskMode()).isTrue();
    }

    @Test
    void unknownPatternsAndModifiersAreRefusedByName() {
        assertThatThrownBy(() -> HandshakePattern.parse("ZZ")).hasMessageContaining("ZZ");
        assertThatThrownBy(() -> HandshakePattern.parse("XXfallback")).hasMessageContaining("fallback");
        assertThatThrownBy(() -> HandshakePattern.parse("NNpsk5")).hasMessageContaining("psk5");
        assertThatThrownBy(() -> NoiseProtocol.parse("Noise_XX_25519_ChaChaPoly")).hasMessageContaining("not a Noise protocol name");
    }
}
