package io.crust.nat.gateway;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A NAT-PMP and PCP server on 127.0.0.1 for tests. It encodes its answers by hand, from the RFC layouts,
 * independently of the client's codec. Knobs make it refuse, stay silent, answer garbage, speak NAT-PMP
 * only, or "reboot" (forget its mappings and restart its epoch).
 */
public final class FakePortMappingGateway implements AutoCloseable {
    /** The external address it reports: TEST-NET-2, only ever written into replies, never contacted. */
    public static final byte[] EXTERNAL = {(byte) 198, 51, 100, 9};

    private final DatagramSocket socket;
    private final Thread server;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Integer> mappings = new HashMap<>();
    private final List<String> log = new ArrayList<>();
    private long epochStartNanos = System.nanoTime();
    private long epochOffsetSeconds = 1000;
    private int nextExternalPort = 20000;
    private boolean honourSuggestedPort = true;
    private volatile boolean pcp = true;
    private volatile boolean silent;
    private volatile int refuseWith;
    private volatile byte[] garbage;
    private volatile long maxLifetimeSeconds = Long.MAX_VALUE;

    public FakePortMappingGateway() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server = Thread.ofVirtual().name("fake-pmp-gateway").start(this::serve);
    }

    public int port() {
        return socket.getLocalPort();
    }

    public FakePortMappingGateway natPmpOnly() {
        pcp = false;
        return this;
    }

    public FakePortMappingGateway silent() {
        silent = true;
        return this;
    }

    /** Answers every request with this result code. */
    public FakePortMappingGateway refusing(int resultCode) {
        refuseWith = resultCode;
        return this;
    }

    /** Answers every request with these bytes. */
    public FakePortMappingGateway answering(byte[] reply) {
        garbage = reply.clone();
        return this;
    }

    public FakePortMappingGateway grantingAtMost(long seconds) {
        maxLifetimeSeconds = seconds;
        return this;
    }

    /** Forgets every mapping, restarts the epoch at 0 and hands out ports from 30000, ignoring suggestions. */
    public void reboot() {
        lock.lock();
        try {
            mappings.clear();
            epochStartNanos = System.nanoTime();
            epochOffsetSeconds = 0;
            nextExternalPort = 30000;
            honourSuggestedPort = false;
            log.add("reboot");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends what a restarted gateway multicasts (RFC 6886 section 3.2.1, RFC 6887 section 14.1) to
     * {@code to} instead: the NAT-PMP external address announcement and the PCP unsolicited ANNOUNCE, from
     * this gateway's own socket.
     */
    public void announce(InetSocketAddress to) throws IOException {
        lock.lock();
        try {
            byte[] natPmp = ByteBuffer.allocate(12).put((byte) 0).put((byte) 128).putShort((short) 0).putInt(epoch())
                    .put(EXTERNAL).array();
            byte[] pcpAnnounce = ByteBuffer.allocate(24).put((byte) 2).put((byte) 0x80).put((byte) 0).put((byte) 0)
                    .putInt(0).putInt(epoch()).array();
            socket.send(new DatagramPacket(natPmp, natPmp.length, to));
            socket.send(new DatagramPacket(pcpAnnounce, pcpAnnounce.length, to));
        } finally {
            lock.unlock();
        }
    }

    public boolean hasMapping(String protocol, int internalPort) {
        lock.lock();
        try {
            return mappings.containsKey(protocol + "/" + internalPort);
        } finally {
            lock.unlock();
        }
    }

    public List<String> log() {
        lock.lock();
        try {
            return List.copyOf(log);
        } finally {
            lock.unlock();
        }
    }

    private void serve() {
        byte[] buffer = new byte[1500];
        while (!socket.isClosed()) {
            DatagramPacket in = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(in);
                byte[] reply = answer(ByteBuffer.wrap(buffer, 0, in.getLength()).slice());
                if (reply != null) {
                    socket.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private byte[] answer(ByteBuffer req) {
        if (silent || req.remaining() < 2) {
            return null;
        }
        if (garbage != null) {
            return garbage;
        }
        lock.lock();
        try {
            int version = req.get(0) & 0xff;
            if (version == 0) {
                return natPmp(req);
            }
            if (version == 2 && pcp) {
                return pcp(req);
            }
            // RFC 6886 section 3.5: Unsupported Version, 8 bytes
            log.add("unsupported-version " + version);
            return ByteBuffer.allocate(8).put((byte) 0).put((byte) 128).putShort((short) 1).putInt(epoch()).array();
        } finally {
            lock.unlock();
        }
    }

    private byte[] natPmp(ByteBuffer req) {
        int op = req.get(1) & 0xff;
        if (op == 0) {
            log.add("pmp external-address");
            ByteBuffer r = ByteBuffer.allocate(12).put((byte) 0).put((byte) 128).putShort((short) refuseWith).putInt(epoch());
            return r.put(EXTERNAL).array();
        }
        int internal = req.getShort(4) & 0xffff;
        int suggested = req.getShort(6) & 0xffff;
        long lifetime = req.getInt(8) & 0xffffffffL;
        String key = (op == 1 ? "udp" : "tcp") + "/" + internal;
        ByteBuffer r = ByteBuffer.allocate(16).put((byte) 0).put((byte) (128 + op)).putShort((short) refuseWith).putInt(epoch());
        if (refuseWith != 0) {
            log.add("pmp refuse " + key);
            return r.array();
        }
        if (lifetime == 0) {
            mappings.remove(key);
            log.add("pmp delete " + key);
            return r.putShort((short) internal).putShort((short) 0).putInt(0).array();
        }
        int external = assign(key, suggested);
        long granted = Math.min(lifetime, maxLifetimeSeconds);
        log.add("pmp map " + key + " -> " + external + " for " + granted);
        return r.putShort((short) internal).putShort((short) external).putInt((int) granted).array();
    }

    private byte[] pcp(ByteBuffer req) {
        int opcode = req.get(1) & 0x7f;
        long lifetime = req.getInt(4) & 0xffffffffL;
        if (opcode == 0 && req.remaining() >= 24) {
            // ANNOUNCE (RFC 6887 section 14.1): the header alone, lifetime 0, the epoch
            log.add("pcp announce");
            return ByteBuffer.allocate(24).put((byte) 2).put((byte) 0x80).put((byte) 0).put((byte) 0)
                    .putInt(0).putInt(epoch()).array();
        }
        ByteBuffer r = ByteBuffer.allocate(60);
        r.put((byte) 2).put((byte) (0x80 | opcode)).put((byte) 0).put((byte) refuseWith);
        if (req.remaining() < 60 || opcode != 1) {
            return r.put(3, (byte) 3).putInt(8, epoch()).array();
        }
        byte[] nonce = new byte[12];
        req.get(24, nonce);
        int protocol = req.get(36) & 0xff;
        int internal = req.getShort(40) & 0xffff;
        int suggested = req.getShort(42) & 0xffff;
        String key = (protocol == 17 ? "udp" : "tcp") + "/" + internal;
        long granted = refuseWith != 0 ? 0 : Math.min(lifetime, maxLifetimeSeconds);
        int external = 0;
        if (refuseWith != 0) {
            log.add("pcp refuse " + key);
        } else if (lifetime == 0) {
            mappings.remove(key);
            log.add("pcp delete " + key);
        } else {
            external = assign(key, suggested);
            log.add("pcp map " + key + " -> " + external + " for " + granted);
        }
        r.putInt((int) granted).putInt(epoch()).put(new byte[12]);
        r.put(nonce).put((byte) protocol).put(new byte[3]).putShort((short) internal).putShort((short) external);
        r.put(new byte[10]).put((byte) 0xff).put((byte) 0xff).put(EXTERNAL);
        return r.array();
    }

    private int assign(String key, int suggested) {
        Integer existing = mappings.get(key);
        if (existing != null) {
            return existing;
        }
        int port = honourSuggestedPort && suggested != 0 && !mappings.containsValue(suggested) ? suggested : nextExternalPort++;
        mappings.put(key, port);
        return port;
    }

    private int epoch() {
        return (int) (epochOffsetSeconds + (System.nanoTime() - epochStartNanos) / 1_000_000_000L);
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        server.join();
    }
}
