package io.crust.nat.classify;

import io.crust.nat.NatBehaviour.Dependence;
import java.net.InetSocketAddress;

/**
 * The decisions of RFC 5780 section 4.3 (mapping) and 4.4 (filtering), as pure functions of the
 * test results.
 */
public final class Verdicts {
    private Verdicts() {
    }

    /**
     * Mapping from the reflexive addresses seen by test I (primary address), test II (alternate
     * IP, primary port) and test III (alternate IP and port). Test III is only needed when I and
     * II differ; pass null for a test that got no answer.
     */
    public static Dependence mapping(InetSocketAddress testI, InetSocketAddress testII, InetSocketAddress testIII) {
        if (testI == null || testII == null) {
            return Dependence.UNKNOWN;
        }
        // RFC 5780 sec. 4.3: "If the XOR-MAPPED-ADDRESS in the Binding Response is the same as test I the NAT currently
        // has Endpoint-Independent Mapping.  If not, test III is performed"
        if (testI.equals(testII)) {
            return Dependence.ENDPOINT_INDEPENDENT;
        }
        if (testIII == null) {
            return Dependence.UNKNOWN;
        }
        // RFC 5780 sec. 4.3: "If the XOR-MAPPED-ADDRESS matches test II, the NAT currently has Address-Dependent Mapping;
        // if it doesn't match it currently has Address and Port-Dependent Mapping."
        return testII.equals(testIII) ? Dependence.ADDRESS_DEPENDENT : Dependence.ADDRESS_AND_PORT_DEPENDENT;
    }

    /**
     * Filtering from whether an answer from the alternate IP and port (test II) and from the
     * primary IP but alternate port (test III) got through.
     */
    public static Dependence filtering(boolean changedIpAndPortArrived, boolean changedPortArrived) {
        // RFC 5780 sec. 4.4, test II (change-port and change-IP): "If the client receives a response, the current
        // behavior of the NAT is Endpoint-Independent Filtering."
        if (changedIpAndPortArrived) {
            return Dependence.ENDPOINT_INDEPENDENT;
        }
        // RFC 5780 sec. 4.4, test III (change-port): "If the client receives a response, the current behavior is
        // Address-Dependent Filtering; if no response is received, the current behavior is Address and Port-Dependent
        // Filtering."
        return changedPortArrived ? Dependence.ADDRESS_DEPENDENT : Dependence.ADDRESS_AND_PORT_DEPENDENT;
    }

    /**
     * Mapping through two cooperating peers, which can only tell "the same for both" from "not":
     * two peers at one IP reveal port dependence; at two IPs a difference could be either.
     */
    public static Dependence mappingFromPeers(InetSocketAddress peerA, InetSocketAddress seenByA,
            InetSocketAddress peerB, InetSocketAddress seenByB) {
        if (seenByA.equals(seenByB)) {
            return Dependence.ENDPOINT_INDEPENDENT;
        }
        return peerA.getAddress().equals(peerB.getAddress())
                ? Dependence.ADDRESS_AND_PORT_DEPENDENT : Dependence.ADDRESS_DEPENDENT;
    }
}
