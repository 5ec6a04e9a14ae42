package io.crust.demo.peer.tutorial;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** A chat on Crust: every line you type goes to every connected peer. Usage: Chat DATA_DIR [HOST:PORT] */
public final class Chat {
    public static void main(String[] args) throws Exception {
        chat(config(args), System.in, System.out);
    }

    static CrustConfig config(String[] args) {
        CrustConfig.Builder config = CrustConfig.builder().dataDir(Path.of(args[0])).networkName("chat");
        if (args.length > 1) {                       // someone to start from, e.g. 192.0.2.7:40123
            String[] hostPort = args[1].split(":");
            config.contacts(List.of(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]))));
        }
        return config.build();
    }

    static void chat(CrustConfig config, InputStream in, PrintStream out) throws Exception {
        try (CrustNode node = CrustNode.start(config)) {
            out.println("I am " + node.id() + ", TCP port " + node.tcpAddress().orElseThrow().getPort());
            Thread printer = Thread.ofVirtual().start(() -> {   // events arrive in order, one at a time
                try {
                    while (true) {
                        switch (node.events().take()) {
                            case CrustEvent.PeerConnected c -> out.println("* " + c.peer().id().shortForm() + " joined");
                            case CrustEvent.MessageReceived m ->
                                    out.println(m.from().shortForm() + ": " + new String(m.message(), UTF_8));
                            case CrustEvent.PeerLost l -> out.println("* " + l.peer().shortForm() + " left: " + l.detail());
                            default -> { }
                        }
                    }
                } catch (InterruptedException e) {
                    // the chat is over
                }
            });
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                for (Peer peer : node.peers()) {
                    peer.send(line.getBytes(UTF_8));     // encrypted, in order; blocks if the peer is slow
                }
            }
            printer.interrupt();
        }
    }
}
