package io.crust.core.lab;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.PeerId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Crust node for NAT lab tests, run in a lab namespace by {@code LabHost.startJava}. Arguments:
 * {@code [--port N] [--relay] [--no-udp] [--port-mapping] [--contact ip:port]...}. Prints one line per fact on stdout
 * ({@code READY id}, {@code EVENT ...}, {@code CONNECTED id route transport millis}, {@code FAILED COMMAND: why},
 * {@code MESSAGE from text}, {@code STREAMING from n}, {@code STREAM from count ok|BROKEN why}) and obeys stdin
 * commands ({@code connect ID}, {@code send ID TEXT}, {@code drop ID}, {@code peers} (prints {@code PEERS id...}),
 * {@code path ID} (prints {@code PATH id route transport remoteIp}),
 * {@code external} (prints {@code EXTERNAL tcpPort ip:port...}: the TCP listening port, then the external addresses), {@code stream ID COUNT BYTES PACE_MS}).
 */
public final class LabPeer {
    private LabPeer() {
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        boolean relay = false;
        boolean udp = true;
        boolean tcp = true;
        int maxConnections = CrustConfig.builder().build().maxConnections();
        boolean portMapping = false;
        List<InetSocketAddress> contacts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--relay" -> relay = true;
                case "--no-udp" -> udp = false;
                case "--no-tcp" -> tcp = false;
                case "--max-connections" -> maxConnections = Integer.parseInt(args[++i]);
                case "--port-mapping" -> portMapping = true;
                case "--contact" -> contacts.add(io.crust.nat.HostPort.literal(args[++i])); // ip:port or [ipv6]:port
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("crust-lab-peer");
        CrustConfig config = CrustConfig.builder().dataDir(dir).networkName("lab").listenTcpPort(port).listenUdpPort(port)
                .contacts(contacts).relay(relay).udp(udp).tcp(tcp).portMapping(portMapping).maxConnections(maxConnections).build();
        try (CrustNode node = CrustNode.start(config)) {
            say("READY " + node.id());
            Thread.ofVirtual().name("lab-peer-events").start(() -> printEvents(node));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.strip().split(" ", 3);
                try {
                    switch (words[0]) {
                        case "connect" -> {
                            long start = System.nanoTime();
                            Thread watchdog = Thread.ofVirtual().start(LabPeer::dumpThreadsIfStuck);
                            Peer peer = node.connect(PeerId.parse(words[1]), Duration.ofSeconds(60));
                            long millis = (System.nanoTime() - start) / 1_000_000;
                            watchdog.interrupt();
                            say("CONNECTED " + peer.id() + " " + peer.route() + " " + peer.transport() + " " + millis);
                        }
                        case "send" -> node.peer(PeerId.parse(words[1])).orElseThrow().send(words[2].getBytes(StandardCharsets.UTF_8));
                        case "external" -> say("EXTERNAL " + node.tcpAddress().map(a -> a.getPort()).orElse(0)
                                + node.externalAddresses().stream().map(a -> " " + a.getAddress().getHostAddress() + ":" + a.getPort())
                                        .reduce("", String::concat));
                        case "peers" -> say("PEERS" + node.peers().stream().map(x -> " " + x.id()).reduce("", String::concat));
                        case "path" -> {
                            Peer peer = node.peer(PeerId.parse(words[1])).orElseThrow();
                            say("PATH " + peer.id() + " " + peer.route() + " " + peer.transport() + " "
                                    + peer.remoteAddress().getAddress().getHostAddress());
                        }
                        case "drop" -> {
                            node.drop(PeerId.parse(words[1]));
                            say("DROPPED " + words[1]);
                        }
                        case "stream" -> {
                            Peer peer = node.peer(PeerId.parse(words[1])).orElseThrow();
                            String[] n = words[2].split(" ");
                            Thread.ofVirtual().name("lab-peer-stream").start(() -> LabStream.send(peer,
                                    Integer.parseInt(n[0]), Integer.parseInt(n[1]), Duration.ofMillis(Long.parseLong(n[2]))));
                        }
                        case "quit" -> {
                            return;
                        }
                        default -> say("FAILED unknown command " + words[0]);
                    }
                } catch (Exception e) {
                    say("FAILED " + words[0] + ": " + e.getMessage()); // named, so a reply is not taken for another command's
                }
            }
        }
    }

    private static void printEvents(CrustNode node) {
        LabStream.Receiver streams = new LabStream.Receiver(LabPeer::say);
        try {
            while (true) {
                CrustEvent event = node.events().take();
                switch (event) {
                    case CrustEvent.MessageReceived m when LabStream.isStream(m.message()) -> streams.onMessage(m.from(), m.message());
                    case CrustEvent.MessageReceived m -> say("MESSAGE " + m.from() + " " + new String(m.message(), StandardCharsets.UTF_8));
                    case CrustEvent.PeerConnected c -> say("EVENT PeerConnected " + c.peer().id() + " " + c.route() + " " + c.transport());
                    case CrustEvent.ConnectionUpgraded u -> say("EVENT ConnectionUpgraded " + u.peer() + " " + u.fromRoute() + " " + u.toRoute() + " " + u.transport()
                            + " " + (u.remoteAddress() == null ? "-" : u.remoteAddress().getAddress().getHostAddress()));
                    default -> say("EVENT " + event);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Diagnostics: if connect takes far longer than its timeout, dump every thread (virtual ones too). */
    private static void dumpThreadsIfStuck() {
        try {
            Thread.sleep(Duration.ofSeconds(75));
            Path file = Path.of(System.getProperty("java.io.tmpdir"), "lab-peer-" + ProcessHandle.current().pid() + ".threads");
            new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(ProcessHandle.current().pid()), "Thread.dump_to_file", file.toString())
                    .inheritIO().start().waitFor();
            System.err.println("connect is stuck: threads dumped to " + file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("thread dump failed: " + e);
        }
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
