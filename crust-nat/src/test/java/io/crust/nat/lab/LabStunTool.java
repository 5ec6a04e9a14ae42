package io.crust.nat.lab;

import io.crust.nat.DatagramChannelPort;
import io.crust.nat.DatagramPort;
import io.crust.nat.NatBehaviour;
import io.crust.nat.NatClassifier;
import io.crust.nat.StunClient;
import io.crust.nat.StunServer;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Our STUN pieces as a program for lab namespaces; prints one result line and exits (or serves).
 *
 * <pre>
 * stun HOST:PORT              -> MAPPED ip:port
 * classify HOST:PORT [life-s] -> BEHAVIOUR mapping filtering hairpinning external lifetime
 * serve IP PORT ALT-IP ALT-PORT -> LISTENING ..., serves until stdin closes
 * </pre>
 */
public final class LabStunTool {
    private LabStunTool() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "stun" -> {
                try (DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(0))) {
                    StunClient.Binding b = new StunClient(port).binding(LabPeer.parse(args[1]), Duration.ofSeconds(5));
                    System.out.println("MAPPED " + LabPeer.text(b.mapped()) + " other="
                            + (b.otherAddress() == null ? "none" : LabPeer.text(b.otherAddress())));
                }
            }
            case "classify" -> {
                Duration lifetime = Duration.ofMillis(args.length > 2 ? (long) (Double.parseDouble(args[2]) * 1000) : 0);
                try (DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(0))) {
                    NatBehaviour b = NatClassifier.classify(port, LabPeer.parse(args[1]),
                            new NatClassifier.Options(Duration.ofSeconds(2), Duration.ofMillis(250), lifetime));
                    System.out.println("BEHAVIOUR " + b.mapping() + " " + b.filtering() + " " + b.hairpinning() + " "
                            + LabPeer.text(b.external()) + " " + (b.bindingLifetime() == null ? "-" : b.bindingLifetime().toMillis()));
                }
            }
            case "serve" -> {
                try (StunServer server = StunServer.start(new InetSocketAddress(LabPeer.ip(args[1]), Integer.parseInt(args[2])),
                        LabPeer.ip(args[3]), Integer.parseInt(args[4]))) {
                    System.out.println("LISTENING " + server.localAddresses());
                    System.out.flush();
                    while (System.in.read() >= 0) {
                        // serve until the test closes stdin
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.flush();
    }
}
