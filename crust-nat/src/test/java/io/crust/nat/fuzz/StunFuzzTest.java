package io.crust.nat.fuzz;

import io.crust.testkit.InputBudget;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.crust.nat.stun.BindingResponder;
import io.crust.nat.stun.StunAddress;
import io.crust.nat.stun.StunAttribute;
import io.crust.nat.stun.StunFormatException;
import io.crust.nat.stun.StunMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Hostile datagrams against the STUN codec (RFC 8489) and the Binding responder. Every input must
 * decode to a message or fail with {@link StunFormatException}; nothing else may escape, and the
 * responder must stay silent or answer with one bounded datagram.
 *
 * <p>A normal test run replays the saved inputs in
 * {@code src/test/resources/io/crust/nat/fuzz/StunFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes
 * (see docs/reliability.md).
 */
class StunFuzzTest {
    private static final byte[] KEY = "fuzz-integrity-key".getBytes(StandardCharsets.UTF_8);
    private static final InetSocketAddress SENDER = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 3478);
    /** RFC 8489 section 6.1: without path MTU knowledge, a STUN message should fit 548 bytes. */
    private static final int MAX_REPLY_BYTES = 548;

    @FuzzTest
    void anyDatagramDecodesOrIsRefusedWithStunFormatException(byte[] data) {
        InputBudget.check("StunMessage.decode", data.length, () -> {
            ByteBuffer datagram = ByteBuffer.wrap(data);
            boolean looksLikeStun = StunMessage.looksLikeStun(datagram);
            try {
                StunMessage message = StunMessage.decode(datagram);
                assertThat(data.length).isGreaterThanOrEqualTo(StunMessage.HEADER_BYTES);
                assertThat(looksLikeStun).as("a decodable message passes the demultiplexing test").isTrue();
                assertThat(message.toString()).isNotEmpty();
                message.integrityValid(KEY);
                message.fingerprintValid();
                for (StunAttribute attribute : message.attributes()) {
                    decodeAddressIfAny(attribute, message.cookieAndId());
                }
            } catch (StunFormatException expected) {
                // the documented refusal
            }
            assertThat(datagram.position()).as("decode leaves the position alone").isZero();
        });
    }

    @FuzzTest
    void bindingResponderAnswersOnlyWithOneBoundedReply(byte[] data) {
        InputBudget.check("BindingResponder.answer", data.length, () -> {
            Optional<BindingResponder.Reply> reply = BindingResponder.answer(ByteBuffer.wrap(data), SENDER, LOCAL,
                    BindingResponder.ServerAddresses.single(LOCAL));
            reply.ifPresent(r -> {
                assertThat(r.destination()).isEqualTo(SENDER);
                assertThat(r.bytes().remaining()).isLessThanOrEqualTo(MAX_REPLY_BYTES);
            });
        });
    }

    private static void decodeAddressIfAny(StunAttribute attribute, byte[] cookieAndId) {
        try {
            if (attribute.type() == StunAttribute.XOR_MAPPED_ADDRESS) {
                StunAddress.decodeXor(attribute.value(), cookieAndId);
            } else if (attribute.type() == StunAttribute.MAPPED_ADDRESS) {
                StunAddress.decode(attribute.value());
            }
        } catch (StunFormatException expected) {
            // a malformed address attribute is refused, not trusted
        }
    }
}
