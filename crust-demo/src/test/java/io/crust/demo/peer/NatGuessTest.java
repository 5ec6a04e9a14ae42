package io.crust.demo.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.ConnectionInfo;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord.Kind;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NatGuessTest {
    private static final PeerId ID = anyPeerId();
    private static final InetSocketAddress LAN = new InetSocketAddress("192.168.1.2", 5483);
    private static final InetSocketAddress PUBLIC = new InetSocketAddress("203.0.113.7", 5483);

    @Test
    void withOnlyOurOwnInterfacesNobodyHasToldUsYet() {
        assertThat(NatGuess.of(info(List.of(LAN), List.of(Kind.HOST)))).isEqualTo("unknown");
    }

    @Test
    void anAddressOthersSeeThatIsNoneOfOursMeansANat() {
        assertThat(NatGuess.of(info(List.of(LAN, PUBLIC), List.of(Kind.HOST, Kind.REFLEXIVE)))).isEqualTo("behind-nat");
    }

    @Test
    void anAddressOthersSeeThatIsOurOwnMeansNoNat() {
        assertThat(NatGuess.of(info(List.of(PUBLIC, PUBLIC), List.of(Kind.HOST, Kind.REFLEXIVE)))).isEqualTo("none");
    }

    @Test
    void aPortMappingOnTheGatewayIsReportedAsMapped() {
        assertThat(NatGuess.of(info(List.of(LAN, PUBLIC), List.of(Kind.HOST, Kind.MAPPED)))).isEqualTo("mapped");
    }

    private static PeerId anyPeerId() {
        try {
            byte[] x509 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
            return PeerId.fromPublicKey(Arrays.copyOfRange(x509, x509.length - 32, x509.length)); // the raw key ends the encoding
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConnectionInfo info(List<InetSocketAddress> tcp, List<Kind> kinds) {
        return new ConnectionInfo(ID, tcp, List.of(), kinds, List.of());
    }
}
