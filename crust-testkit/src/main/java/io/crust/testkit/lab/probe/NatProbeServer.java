package io.crust.testkit.lab.probe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The internet side of the NAT behaviour probe (RFC 4787 tests, in the spirit of RFC 5780
 * section 4). Binds three UDP sockets: primary (address X, port p), same-address (X, p+1) and
 * other-address (Y, p), given as {@code host:port} arguments in that order. Requests:
 * <ul>
 *   <li>{@code MAP <id>} on any socket: answered from that socket with
 *       {@code SEEN <id> <observed-ip>:<observed-port>}: the NAT mapping seen from there;</li>
 *   <li>{@code FILTER <id>} on the primary socket: answered three times, with
 *       {@code FROM <id> other-address} from the other-address socket, {@code FROM <id> other-port}
 *       from the same-address socket and {@code FROM <id> same} from the primary socket; which
 *       ones reach the client tells its NAT's filtering.</li>
 * </ul>
 * On stdin, {@code SEND <ip> <port> <text>} sends an unsolicited datagram from the primary
 * socket (to test a port mapping) and prints {@code SENT}. Prints {@code READY} once bound; runs
 * until killed.
 */
public final class NatProbeServer {

    private final List<DatagramSocket> sockets = new ArrayList<>();

    private NatProbeServer(List<InetSocketAddress> binds) throws IOException {
        for (InetSocketAddress bind : binds) {
            sockets.add(new DatagramSocket(bind));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: NatProbeServer <primary ip:port> <same-address ip:port> <other-address ip:port>");
            System.exit(2);
        }
        List<InetSocketAddress> binds = new ArrayList<>();
        for (String arg : args) {
            binds.add(Probes.parse(arg));
        }
        NatProbeServer server = new NatProbeServer(binds);
        List<Thread> servers = new ArrayList<>();
        for (DatagramSocket socket : server.sockets) {
            servers.add(Thread.ofVirtual().name("probe-server-" + socket.getLocalPort()).start(() -> server.serve(socket)));
        }
        System.out.println("READY");
        server.readCommands();
        // stdin ended (or was never there, as under "cmd &" in a script): serve until killed.
        for (Thread thread : servers) {
            thread.join();
        }
    }

    private void serve(DatagramSocket socket) {
        byte[] buffer = new byte[1500];
        try {
            while (true) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                String[] words = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8).split(" ");
                if (words.length < 2) {
                    continue;
                }
                InetSocketAddress client = (InetSocketAddress) packet.getSocketAddress();
                switch (words[0]) {
                    case "MAP" -> Probes.send(socket, client, "SEEN " + words[1] + " " + Probes.format(client));
                    case "FILTER" -> {
                        Probes.send(sockets.get(2), client, "FROM " + words[1] + " other-address");
                        Probes.send(sockets.get(1), client, "FROM " + words[1] + " other-port");
                        Probes.send(sockets.get(0), client, "FROM " + words[1] + " same");
                    }
                    default -> System.err.println("unknown request " + words[0] + " from " + client);
                }
            }
        } catch (IOException e) {
            System.err.println("probe server socket " + socket.getLocalSocketAddress() + " stopped: " + e);
        }
    }

    private void readCommands() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split(" ", 4);
            if (words.length == 4 && words[0].equals("SEND")) {
                Probes.send(sockets.get(0), new InetSocketAddress(words[1], Integer.parseInt(words[2])), words[3]);
                System.out.println("SENT " + words[1] + ":" + words[2]);
            } else {
                System.err.println("unknown command: " + line);
            }
        }
    }
}
