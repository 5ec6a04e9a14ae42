package io.crust.nat.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.crust.nat.upnp.UpnpReplies;
import io.crust.testkit.InputBudget;
import java.net.InetAddress;
import org.jupnp.model.UnsupportedDataException;
import org.jupnp.model.action.ActionInvocation;
import org.jupnp.model.meta.RemoteService;

/**
 * Hostile UPnP replies: SSDP search answers (read by jupnp, then the LOCATION check that decides
 * whether anything is fetched) and SOAP action answers (jupnp's reader with crust-nat's
 * {@code SoapAnswerReader}), and WANIPv6FirewallControl answers, whole HTTP answers through crust-nat's own reader (whose
 * refusal is a {@code NatException}). A reply is read or refused with jupnp's {@link UnsupportedDataException};
 * nothing else escapes, nothing hangs or allocates out of proportion. Saved inputs:
 * {@code src/test/resources/io/crust/nat/fuzz/UpnpReplyFuzzTestInputs/}.
 */
class UpnpReplyFuzzTest {
    private static final InetAddress GATEWAY = gateway();
    /** jupnp's readers build strings, headers and a DOM: a larger allowance than the binary decoders'. */
    private static final long PARSER_BYTES = 4L << 20;

    @FuzzTest
    void ssdpAnswersAreCheckedOrRefused(byte[] data) {
        InputBudget.check("SSDP answer", data.length, PARSER_BYTES, () -> {
            try {
                String problem = UpnpReplies.ssdpAnswer(data, GATEWAY);
                // 240.0.0.1 (reserved, RFC 1112) is on no subnet of any host: no LOCATION may ever be accepted.
                assertThat(problem).isNotNull();
            } catch (UnsupportedDataException expected) {
                // documented refusal
            }
        });
    }

    @FuzzTest
    void soapAnswersAreReadOrRefused(byte[] data) {
        if (data.length == 0) {
            return;
        }
        String action = (data[0] & 1) == 0 ? "GetExternalIPAddress" : "AddAnyPortMapping";
        int status = (data[0] & 2) == 0 ? 200 : 500;
        byte[] body = java.util.Arrays.copyOfRange(data, 1, data.length);
        InputBudget.check("SOAP answer", data.length, PARSER_BYTES, () -> {
            try {
                ActionInvocation<RemoteService> invocation = UpnpReplies.soapAnswer(action, status, body);
                assertThat(invocation.getFailure() != null || invocation.getOutput().length <= 1).isTrue();
            } catch (UnsupportedDataException expected) {
                // documented refusal
            }
        });
    }

    @FuzzTest
    void firewallControlAnswersAreReadOrRefused(byte[] data) {
        InputBudget.check("firewall control answer", data.length, PARSER_BYTES, () -> {
            try {
                assertThat(UpnpReplies.firewallAnswer(data)).isNotNull();
            } catch (io.crust.nat.NatException expected) {
                // documented refusal: a fault (UpnpActionException) or a malformed answer
            } catch (java.io.IOException e) {
                throw new AssertionError("reading from memory fails only as a NatException", e);
            }
        });
    }

    private static InetAddress gateway() {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 240, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
