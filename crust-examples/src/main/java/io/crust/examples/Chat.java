package io.crust.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.MessageDelivery;
import io.crust.core.Peer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A chat: every line typed goes to every connected peer; each peer is read by its own thread, so a
 * peer that floods us slows only itself. Usage: {@code Chat [HOST:PORT]} (the address of another chat).
 */
public final class Chat {
    public static void main(String[] args) throws Exception {
        CrustConfig config = CrustConfig.builder().networkName("chat").messageDelivery(MessageDelivery.PER_PEER).build();
        InetSocketAddress friend = args.length == 0 ? null
                : new InetSocketAddress(args[0].substring(0, args[0].lastIndexOf(':')),
                        Integer.parseInt(args[0].substring(args[0].lastIndexOf(':') + 1)));
        chat(config, friend, System.in, System.out);
    }

    static void chat(CrustConfig config, InetSocketAddress friend, InputStream in, PrintStream out) throws Exception {
        try (CrustNode node = CrustNode.start(config)) {
            out.println("chat at " + node.tcpAddress().orElseThrow());
            Thread greeter = Thread.ofVirtual().start(() -> greetNewPeers(node, out));
            try {
                if (friend != null) {
                    node.connect(friend, Duration.ofSeconds(10));  // its PeerConnected starts a reader
                }
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, UTF_8));
                for (String line; (line = lines.readLine()) != null; ) {
                    for (Peer peer : node.peers()) {
                        peer.send(line.getBytes(UTF_8));            // blocks only if this peer is slow
                    }
                }
            } finally {
                greeter.interrupt();                                // the readers end with the node
            }
        }
    }

    /** Starts one reader thread per peer that joins; node-wide events carry joins and losses. */
    private static void greetNewPeers(CrustNode node, PrintStream out) {
        try {
            while (true) {
                switch (node.events().take()) {
                    case CrustEvent.PeerConnected c -> {
                        out.println("* " + c.peer().id().shortForm() + " joined");
                        Thread.ofVirtual().start(() -> print(c.peer(), out));
                    }
                    case CrustEvent.PeerLost l -> out.println("* " + l.peer().shortForm() + " left: " + l.reason());
                    default -> { }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void print(Peer peer, PrintStream out) {
        try {
            while (true) {
                out.println(peer.id().shortForm() + ": " + new String(peer.receive(), UTF_8));
            }
        } catch (CrustException gone) {
            // the peer left or the node closed: receive() said why after handing over every message
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
