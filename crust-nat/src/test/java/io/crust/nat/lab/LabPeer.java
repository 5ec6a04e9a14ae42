package io.crust.nat.lab;

import io.crust.nat.IpProtocol;
import io.crust.nat.PortMappers;
import io.crust.nat.Candidate;
import io.crust.nat.DatagramChannelPort;
import io.crust.nat.DatagramPort;
import io.crust.nat.HolePuncher;
import io.crust.nat.PunchOptions;
import io.crust.nat.PortMapper;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMapping;
import io.crust.nat.PunchOffer;
import io.crust.nat.PunchResult;
import io.crust.nat.TcpSimultaneousOpen;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A peer of the lab matrix, run inside a lab namespace and driven by lines on stdin; it answers
 * on stdout. The test process relays the offers between two peers: it is the rendezvous.
 *
 * <pre>
 * stdin:  START id upnp|plain             stdout: OFFER id TCP-IP:PORT offer...
 * stdin:  PUNCH id TCP-IP:PORT offer...   stdout: UDP id ok|fail millis detail...
 *                                          stdout: TCP id ok|fail millis detail...
 * </pre>
 *
 * Sessions run concurrently, one virtual thread each. UDP and TCP use the same port number, so a
 * NAT that keeps ports (Linux masquerade) maps TCP to the port the UDP reflexive address shows.
 */
public final class LabPeer {
    static final List<InetSocketAddress> STUN_SERVERS = List.of(
            new InetSocketAddress(ip("203.0.113.1"), 3478), new InetSocketAddress(ip("203.0.113.3"), 3478));
    static final Duration PUNCH_TIMEOUT = Duration.ofSeconds(30);
    static final Duration TCP_WINDOW = Duration.ofSeconds(8);

    private record Session(DatagramChannelPort port, PunchOffer offer, List<PortMapping> mappings) {
    }

    private static final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private static final PrintStream out = System.out;
    private static final java.util.concurrent.locks.ReentrantLock OUT_LOCK = new java.util.concurrent.locks.ReentrantLock();

    private LabPeer() {
    }

    public static void main(String[] args) throws Exception {
        PortMapper mapper = PortMappers.auto(PortMapperOptions.defaults());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        say("READY");
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split(" ", 4);
            switch (f[0]) {
                case "START" -> {
                    String id = f[1];
                    boolean upnp = f[2].equals("upnp");
                    Thread.ofVirtual().start(() -> start(id, upnp ? mapper : null));
                }
                case "PUNCH" -> {
                    String id = f[1];
                    InetSocketAddress tcpRemote = parse(f[2]);
                    String offer = f[3];
                    Thread.ofVirtual().start(() -> punch(id, tcpRemote, offer));
                }
                default -> say("ERROR unknown command " + line);
            }
        }
        mapper.close();
    }

    private static void start(String id, PortMapper mapper) {
        try {
            DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(0));
            int p = port.localAddress().getPort();
            List<Candidate> extra = new ArrayList<>();
            List<PortMapping> mappings = new ArrayList<>();
            InetSocketAddress tcpExternal = null;
            if (mapper != null) {
                try {
                    PortMapping udp = mapper.map(IpProtocol.UDP, p, p, Duration.ofSeconds(600));
                    mappings.add(udp);
                    extra.add(Candidate.mapped(udp.external()));
                    PortMapping tcp = mapper.map(IpProtocol.TCP, p, p, Duration.ofSeconds(600));
                    mappings.add(tcp);
                    tcpExternal = tcp.external();
                } catch (Exception e) {
                    System.err.println("port mapping failed: " + e);
                }
            }
            PunchOffer offer = HolePuncher.gather(port, STUN_SERVERS, extra, Duration.ofSeconds(3));
            if (tcpExternal == null) {
                InetAddress external = offer.candidates().stream()
                        .filter(c -> c.type() == Candidate.Type.SERVER_REFLEXIVE).findFirst()
                        .map(c -> c.address().getAddress())
                        .orElse(offer.candidates().isEmpty() ? ip("0.0.0.0") : offer.candidates().get(0).address().getAddress());
                tcpExternal = new InetSocketAddress(external, p);
            }
            sessions.put(id, new Session(port, offer, mappings));
            say("OFFER " + id + " " + text(tcpExternal) + " " + offer.encode());
        } catch (Exception e) {
            say("OFFER " + id + " error " + e);
        }
    }

    private static void punch(String id, InetSocketAddress tcpRemote, String offerLine) {
        Session s = sessions.remove(id);
        if (s == null) {
            say("UDP " + id + " fail 0 unknown session");
            return;
        }
        try (DatagramChannelPort port = s.port()) {
            PunchOffer theirs = PunchOffer.decode(offerLine);
            long start = System.nanoTime();
            PunchResult r = HolePuncher.punch(port, s.offer(), theirs, PunchOptions.defaults()
                    .withTimeout(PUNCH_TIMEOUT));
            long punchMillis = (System.nanoTime() - start) / 1_000_000;
            if (r.connected()) {
                String data = exchangeDatagrams(r.port(), r.remote());
                say("UDP " + id + " " + (data == null ? "ok" : "fail") + " " + punchMillis + " remote=" + text(r.remote())
                        + " type=" + r.remoteType() + " probes=" + r.probesSent() + " controlling=" + r.controlling()
                        + " " + (data == null ? r.detail() : "punched but " + data));
                if (r.port() != port) {
                    r.port().close();
                }
            } else {
                say("UDP " + id + " fail " + punchMillis + " probes=" + r.probesSent() + " " + r.detail());
            }
            tcp(id, port.localAddress().getPort(), tcpRemote);
        } catch (Exception e) {
            say("UDP " + id + " fail 0 " + e);
        } finally {
            for (PortMapping m : s.mappings()) {
                try {
                    m.close();
                } catch (Exception e) {
                    System.err.println("unmapping: " + e);
                }
            }
        }
    }

    /**
     * Proves the path carries data both ways: each side sends "crust-lab-hello" every 50 ms until
     * it hears the other, then "crust-lab-ack!"; it is done when it hears the other's ack (the
     * other heard us, and we heard it), and keeps acking for 500 ms so the other can finish too.
     */
    private static String exchangeDatagrams(DatagramPort port, InetSocketAddress remote) throws Exception {
        byte[] hello = "crust-lab-hello".getBytes(StandardCharsets.US_ASCII);
        byte[] ack = "crust-lab-ack!!".getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        boolean heard = false;
        boolean acked = false;
        while (!acked && System.nanoTime() < deadline) {
            port.send(ByteBuffer.wrap(heard ? ack : hello), remote);
            long until = System.nanoTime() + 50_000_000L;
            while (!acked && System.nanoTime() < until) {
                DatagramPort.Datagram d;
                try {
                    d = port.receive(Duration.ofMillis(10));
                } catch (SocketTimeoutException quiet) {
                    continue;
                }
                if (d.sender().equals(remote) && d.data().remaining() == hello.length
                        && d.data().get(0) == 'c') {
                    heard = true;
                    acked = d.data().get(10) == 'a';
                }
            }
        }
        if (!acked) {
            return (heard ? "heard the peer but got no ack" : "no data from " + text(remote)) + " within 6 s";
        }
        for (int i = 0; i < 10; i++) {
            port.send(ByteBuffer.wrap(ack), remote);
            try {
                port.receive(Duration.ofMillis(50));
            } catch (SocketTimeoutException quiet) {
                // the peer may be done already
            }
        }
        return null;
    }

    private static void tcp(String id, int localPort, InetSocketAddress remote) {
        long start = System.nanoTime();
        try (Socket s = TcpSimultaneousOpen.connect(new InetSocketAddress(localPort), remote, TCP_WINDOW)) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            s.setSoTimeout(4000);
            s.getOutputStream().write('x');
            s.getOutputStream().flush();
            int b = s.getInputStream().read();
            say("TCP " + id + " " + (b == 'x' ? "ok" : "fail") + " " + millis + " remote=" + s.getRemoteSocketAddress()
                    + (b == 'x' ? "" : " no byte back"));
        } catch (Exception e) {
            say("TCP " + id + " fail " + (System.nanoTime() - start) / 1_000_000 + " " + e.getMessage());
        }
    }

    private static void say(String line) {
        OUT_LOCK.lock();
        try {
            out.println(line);
            out.flush();
        } finally {
            OUT_LOCK.unlock();
        }
    }

    static String text(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        return new InetSocketAddress(ip(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
