package io.crust.core.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A man in the middle at node level: Mallory's node listens where Bob expects Alice (a poisoned cache,
 * a spoofed address, a hijacked route). Bob dials with Alice's {@link ConnectionInfo}, so the handshake
 * must prove Alice's key; Mallory can only prove her own. The Noise-level attacks (relaying between two
 * channels, forwarding Alice's signed proof with another static key) are covered by
 * {@code io.crust.core.handshake.ManInTheMiddleTest}.
 */
class WrongKeyTest {
    @RegisterExtension
    final ProofNodes nodes = new ProofNodes();

    @Test
    void everyDialToAnImpostorIsRefusedAndLeavesNothingBehind() throws Exception {
        CrustNode alice = nodes.start();
        CrustNode mallory = nodes.start();
        CrustNode bob = nodes.start();
        ConnectionInfo aliceAtMallorysAddress = new ConnectionInfo(alice.id(), List.of(ProofNodes.tcp(mallory)), List.of());
        // Not warmed up by a real connection to Alice first: right after Peer.close(), connect(info) used to
        // return the closed handle without dialling (docs/reliability.md F2, since fixed); keep the test independent of it.
        Throwable first = catchThrowable(() -> bob.connect(aliceAtMallorysAddress, ProofNodes.WAIT));
        assertThat(first).isInstanceOf(CrustException.class).hasMessageContaining(mallory.id().shortForm());
        Resources before = Resources.withoutThreadDump();

        int attempts = 50;
        long start = System.nanoTime();
        for (int i = 0; i < attempts; i++) {
            assertThatThrownBy(() -> bob.connect(aliceAtMallorysAddress, ProofNodes.WAIT))
                    .isInstanceOf(CrustException.class)
                    .hasMessageContaining(mallory.id().shortForm());
        }
        long perAttemptMillis = (System.nanoTime() - start) / 1_000_000 / attempts;

        assertThat(bob.peer(alice.id())).isEmpty();
        assertThat(bob.peer(mallory.id())).as("Bob never kept a connection to Mallory").isEmpty();
        assertThat(mallory.peers()).as("Mallory never got Bob as a peer").isEmpty();
        assertThat(ProofNodes.drain(mallory, Duration.ofMillis(500)))
                .noneMatch(e -> e instanceof CrustEvent.PeerConnected c && c.peer().id().equals(bob.id()));
        Resources after = Resources.withoutThreadDump();
        assertThat(after.fileDescriptors()).as("fds %s, then %s", before, after).isLessThanOrEqualTo(before.fileDescriptors());
        // Bob still reaches the real Alice.
        assertThat(bob.connect(new ConnectionInfo(alice.id(), List.of(ProofNodes.tcp(alice)), List.of()), ProofNodes.WAIT).id())
                .isEqualTo(alice.id());
        Figures.print("mitm", "%d dials to Alice's id answered by Mallory: %d refused, %d ms each on average; before %s, after %s",
                attempts, attempts, perAttemptMillis, before, after);
        Figures.print("mitm", "Bob is told: %s", first.getMessage());
    }
}
