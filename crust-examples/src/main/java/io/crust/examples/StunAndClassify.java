package io.crust.examples;

import io.crust.nat.DatagramPort;
import io.crust.nat.NatBehaviour;
import io.crust.nat.NatClassifier;
import io.crust.nat.StunClient;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * crust-nat alone: ask a STUN server how the outside sees us, then classify the NAT in front of us
 * (RFC 5780; needs a server with an alternate address). Usage: {@code StunAndClassify HOST:PORT}.
 */
public final class StunAndClassify {
    public static void main(String[] args) throws Exception {
        int colon = args[0].lastIndexOf(':');
        InetSocketAddress server = new InetSocketAddress(args[0].substring(0, colon), Integer.parseInt(args[0].substring(colon + 1)));
        run(new InetSocketAddress(0), server, System.out);
    }

    static void run(InetSocketAddress local, InetSocketAddress server, PrintStream out) throws Exception {
        try (DatagramPort port = DatagramPort.open(local)) {
            StunClient.Binding binding = new StunClient(port).binding(server, Duration.ofSeconds(3));
            out.println("the server sees us at " + binding.mapped());

            NatBehaviour nat = NatClassifier.classify(port, server);
            out.println("behind a NAT: " + nat.behindNat());
            out.println("mapping: " + nat.mapping().label() + ", filtering: " + nat.filtering().label()
                    + " (" + nat.classicName() + ")");
        }
    }
}
