package io.crust.testkit.lab.probe;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.crust.testkit.lab.Dependence;

/**
 * The host side of the NAT behaviour probe; see {@link NatProbeServer} for the server's three
 * sockets, passed here as the same three {@code ip:port} arguments.
 *
 * <p><b>Mapping</b> (RFC 4787 section 4.1): one socket asks all three server sockets what
 * source they see. All the same: endpoint-independent; same towards the two sockets of the same
 * address but different towards the other address: address-dependent; otherwise address-and-port
 * dependent. <b>Filtering</b> (section 5): a fresh socket talks to the primary socket only and
 * asks for answers from all three; an answer from the other address means endpoint-independent
 * filtering, from the other port of the same address (but not the other address) address-dependent,
 * from the primary socket only address-and-port dependent. No answer at all is a broken path.
 *
 * <p>Prints {@code MAPPING <behaviour> <seen1> <seen2> <seen3>}, {@code FILTERING <behaviour>
 * <answers>} (behaviour {@code unknown} when a reply never came) and {@code DONE}.
 */
public final class NatProbeClient {

    private static final Duration REPLY_WAIT = Duration.ofMillis(700);
    private static final int ATTEMPTS = 8;

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: NatProbeClient <primary ip:port> <same-address ip:port> <other-address ip:port>");
            System.exit(2);
        }
        InetSocketAddress primary = Probes.parse(args[0]);
        InetSocketAddress sameAddress = Probes.parse(args[1]);
        InetSocketAddress otherAddress = Probes.parse(args[2]);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(0))) {
            List<String> seen = new ArrayList<>();
            for (InetSocketAddress server : List.of(primary, sameAddress, otherAddress)) {
                seen.add(observedFrom(socket, server));
            }
            System.out.println("LOCAL " + socket.getLocalPort());
            System.out.println("MAPPING " + mapping(seen) + " " + String.join(" ", seen));
        }
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(0))) {
            Set<String> answers = filterAnswers(socket, primary);
            System.out.println("FILTERING " + filtering(answers) + " " + String.join(",", answers));
        }
        System.out.println("DONE");
    }

    static String mapping(List<String> seen) {
        if (seen.contains("none")) {
            return "unknown";
        }
        if (seen.get(0).equals(seen.get(1)) && seen.get(1).equals(seen.get(2))) {
            return Dependence.ENDPOINT_INDEPENDENT.words();
        }
        if (seen.get(0).equals(seen.get(1))) {
            return Dependence.ADDRESS_DEPENDENT.words();
        }
        return Dependence.ADDRESS_AND_PORT_DEPENDENT.words();
    }

    static String filtering(Set<String> answers) {
        if (!answers.contains("same")) {
            return "unknown";
        }
        if (answers.contains("other-address")) {
            return Dependence.ENDPOINT_INDEPENDENT.words();
        }
        if (answers.contains("other-port")) {
            return Dependence.ADDRESS_DEPENDENT.words();
        }
        return Dependence.ADDRESS_AND_PORT_DEPENDENT.words();
    }

    private static String observedFrom(DatagramSocket socket, InetSocketAddress server) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String id = server.getPort() + "-" + attempt;
            Probes.send(socket, server, "MAP " + id);
            long deadline = System.nanoTime() + REPLY_WAIT.toNanos();
            for (long left = REPLY_WAIT.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                Probes.Received reply = Probes.receive(socket, Duration.ofNanos(left));
                if (reply != null && reply.text().startsWith("SEEN " + server.getPort() + "-")) {
                    return reply.text().split(" ")[2];
                }
            }
        }
        return "none";
    }

    private static Set<String> filterAnswers(DatagramSocket socket, InetSocketAddress primary) throws IOException {
        Set<String> answers = new TreeSet<>();
        for (int attempt = 0; attempt < ATTEMPTS && !answers.contains("same"); attempt++) {
            Probes.send(socket, primary, "FILTER " + attempt);
            // Wait the whole window: the answers allowed through come at about the same time.
            long deadline = System.nanoTime() + REPLY_WAIT.toNanos();
            for (long left = REPLY_WAIT.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                Probes.Received reply = Probes.receive(socket, Duration.ofNanos(left));
                if (reply != null && reply.text().startsWith("FROM ")) {
                    answers.add(reply.text().split(" ")[2]);
                }
            }
        }
        return answers;
    }
}
