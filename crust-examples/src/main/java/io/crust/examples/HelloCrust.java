package io.crust.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.crust.core.CrustConfig;
import io.crust.core.CrustNode;
import io.crust.core.MessageDelivery;
import io.crust.core.Peer;
import java.net.InetAddress;
import java.time.Duration;

/** Two nodes in one process: Bob dials Alice, they exchange a message each way. */
public final class HelloCrust {
    public static void main(String[] args) throws Exception {
        Duration timeout = Duration.ofSeconds(10);
        CrustConfig config = CrustConfig.builder()             // no data dir: a throwaway identity
                .bindAddress(InetAddress.getLoopbackAddress())
                .messageDelivery(MessageDelivery.PER_PEER)      // read each peer with Peer.receive
                .build();
        try (CrustNode alice = CrustNode.start(config); CrustNode bob = CrustNode.start(config)) {
            Peer toAlice = bob.connect(alice.tcpAddress().orElseThrow(), timeout);
            toAlice.send("hello, Alice".getBytes(UTF_8));     // encrypted and authenticated

            Peer toBob = alice.awaitPeer(bob.id(), timeout);   // the same connection, seen by Alice
            System.out.println("Alice got: " + new String(toBob.receive(timeout), UTF_8));
            toBob.send("hello, Bob".getBytes(UTF_8));
            System.out.println("Bob got: " + new String(toAlice.receive(timeout), UTF_8));
        }
    }
}
