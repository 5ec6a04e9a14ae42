package io.crust.udt;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link UdtEndpoint} and of every connection it carries. Immutable; build one with
 * {@link #builder()}. The defaults are safe for the public Internet: congestion control on, path MTU
 * probing from 1,200 bytes of UDP payload upward, a keepalive that holds NAT bindings open.
 *
 * <pre>{@code
 * UdtConfig config = UdtConfig.builder().idleTimeout(Duration.ofSeconds(30)).build();
 * }</pre>
 */
public final class UdtConfig {
    /** The largest UDP payload IPv4 can carry (65,535 - 20 byte IP header - 8 byte UDP header). */
    public static final int MAX_UDP_PAYLOAD_BYTES = 65_507;
    /** A UDP payload that crosses any path that carries IPv6 (RFC 9000 sec. 14 uses the same figure). */
    public static final int SAFE_UDP_PAYLOAD_BYTES = 1_200;
    /** The smallest receive window a peer may configure; a sender assumes it until the first ACK. */
    public static final int MIN_RECEIVE_WINDOW_BYTES = 64 * 1024;

    private final int maxMessageBytes;
    private final Duration idleTimeout;
    private final Duration keepaliveInterval;
    private final Duration closeTimeout;
    private final int receiveWindowBytes;
    private final int sendBufferBytes;
    private final CongestionControl congestionControl;
    private final int initialPayloadBytes;
    private final int maxPayloadBytes;
    private final boolean pmtuProbing;
    private final boolean fastPath;
    private final int maxPendingHandshakes;
    private final int socketBufferBytes;

    private UdtConfig(Builder b) {
        this.maxMessageBytes = b.maxMessageBytes;
        this.idleTimeout = b.idleTimeout;
        this.keepaliveInterval = b.keepaliveInterval;
        this.closeTimeout = b.closeTimeout;
        this.receiveWindowBytes = b.receiveWindowBytes;
        this.sendBufferBytes = b.sendBufferBytes;
        this.congestionControl = b.congestionControl;
        this.initialPayloadBytes = b.initialPayloadBytes;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.pmtuProbing = b.pmtuProbing;
        this.fastPath = b.fastPath;
        this.maxPendingHandshakes = b.maxPendingHandshakes;
        this.socketBufferBytes = b.socketBufferBytes;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static UdtConfig defaults() {
        return builder().build();
    }

    /** Largest message {@link UdtConnection#receive()} accepts; a larger announced length fails the connection. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** A connection that hears nothing from its peer for this long fails. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** After this long without sending anything, a connection sends a keepalive. */
    public Duration keepaliveInterval() {
        return keepaliveInterval;
    }

    /**
     * How long {@link UdtConnection#close()} waits for the peer to acknowledge more of the sent data
     * before it gives up and aborts; each acknowledged byte restarts the wait.
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** Bytes the receiver buffers ahead of the application; advertised to the sender in every ACK. */
    public int receiveWindowBytes() {
        return receiveWindowBytes;
    }

    /** Bytes written but not yet acknowledged that a connection holds; writers block beyond it. */
    public int sendBufferBytes() {
        return sendBufferBytes;
    }

    /** The congestion controller of new connections. */
    public CongestionControl congestionControl() {
        return congestionControl;
    }

    /** UDP payload size used before path MTU probing has confirmed anything larger. */
    public int initialPayloadBytes() {
        return initialPayloadBytes;
    }

    /** Upper bound of path MTU probing, in bytes of UDP payload. */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** Whether connections probe for a larger datagram size (RFC 8899). */
    public boolean pmtuProbing() {
        return pmtuProbing;
    }

    /**
     * Whether the endpoint may use the Linux fast path: {@code recvmmsg} batches and UDP segmentation
     * offload through the foreign function API. It is used only on JDK 22+ on Linux and when the
     * application grants native access ({@code --enable-native-access=io.crust.udt}, or
     * {@code ALL-UNNAMED} on the class path); elsewhere the endpoint uses the JDK's channel calls, with
     * the same behaviour. {@link UdtEndpoint#datagramPath()} tells which one an endpoint got.
     */
    public boolean fastPath() {
        return fastPath;
    }

    /** Accepted connections waiting for {@link UdtEndpoint#accept}; further handshakes are dropped. */
    public int maxPendingHandshakes() {
        return maxPendingHandshakes;
    }

    /** Requested SO_RCVBUF and SO_SNDBUF of the endpoint's socket (the kernel may grant less). */
    public int socketBufferBytes() {
        return socketBufferBytes;
    }

    @Override
    public String toString() {
        return "UdtConfig[maxMessageBytes=" + maxMessageBytes + ", idleTimeout=" + idleTimeout
                + ", keepaliveInterval=" + keepaliveInterval + ", receiveWindowBytes=" + receiveWindowBytes
                + ", sendBufferBytes=" + sendBufferBytes + ", congestionControl=" + congestionControl
                + ", initialPayloadBytes=" + initialPayloadBytes + ", maxPayloadBytes=" + maxPayloadBytes
                + ", pmtuProbing=" + pmtuProbing + ", fastPath=" + fastPath + "]";
    }

    /** The congestion controllers a connection can use. CUBIC and NewReno are loss-based and TCP-friendly. */
    public enum CongestionControl {
        /**
         * CUBIC (RFC 9438) with pacing: loss-based, fast to regain a large window after loss, but it reads
         * every random loss as congestion and fills the queues it sits behind.
         */
        CUBIC,
        /** NewReno (RFC 9002 sec. 7) with pacing: simpler, slower to regain its window. */
        NEW_RENO,
        /**
         * BBR (model-based: measured bandwidth and minimum RTT; BBR v1 with a v2-style loss response):
         * keeps its rate under random loss of a few percent, backs off when a queue overflows, and keeps
         * the queue it sits behind short. The default.
         */
        BBR
    }

    /** Collects settings; {@link #build()} validates them together. */
    public static final class Builder {
        private int maxMessageBytes = 16 * 1024 * 1024;
        private Duration idleTimeout = Duration.ofSeconds(20);
        private Duration keepaliveInterval = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private int receiveWindowBytes = 4 * 1024 * 1024;
        private int sendBufferBytes = 4 * 1024 * 1024;
        private CongestionControl congestionControl = CongestionControl.BBR;
        private int initialPayloadBytes = SAFE_UDP_PAYLOAD_BYTES;
        private int maxPayloadBytes = MAX_UDP_PAYLOAD_BYTES;
        private boolean pmtuProbing = true;
        private boolean fastPath = true;
        private int maxPendingHandshakes = 64;
        private int socketBufferBytes = 4 * 1024 * 1024;

        private Builder() {
        }

        /** Default 16 MiB; at least 1. */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /** Default 20 s; must exceed the keepalive interval. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Default 5 s; at most 25 s so that NAT bindings (often 30 s for UDP) stay open. */
        public Builder keepaliveInterval(Duration interval) {
            this.keepaliveInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** Default 10 s. */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Default 4 MiB; at least 64 KiB. */
        public Builder receiveWindowBytes(int bytes) {
            this.receiveWindowBytes = bytes;
            return this;
        }

        /** Default 4 MiB; at least 64 KiB. */
        public Builder sendBufferBytes(int bytes) {
            this.sendBufferBytes = bytes;
            return this;
        }

        /** Default {@link CongestionControl#CUBIC}. */
        public Builder congestionControl(CongestionControl controller) {
            this.congestionControl = Objects.requireNonNull(controller, "controller");
            return this;
        }

        /** Default and minimum 1,200 bytes of UDP payload. */
        public Builder initialPayloadBytes(int bytes) {
            this.initialPayloadBytes = bytes;
            return this;
        }

        /** Default 65,507 (the IPv4 maximum); at least the initial payload size. */
        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = bytes;
            return this;
        }

        /** Default on. */
        public Builder pmtuProbing(boolean enabled) {
            this.pmtuProbing = enabled;
            return this;
        }

        /** Default on (used only where available; see {@link UdtConfig#fastPath()}). */
        public Builder fastPath(boolean allowed) {
            this.fastPath = allowed;
            return this;
        }

        /** Default 64; at least 1. */
        public Builder maxPendingHandshakes(int count) {
            this.maxPendingHandshakes = count;
            return this;
        }

        /** Default 4 MiB. */
        public Builder socketBufferBytes(int bytes) {
            this.socketBufferBytes = bytes;
            return this;
        }

        /**
         * Checks the settings together.
         *
         * @throws IllegalArgumentException naming the first setting out of range
         */
        public UdtConfig build() {
            require(maxMessageBytes >= 1, "maxMessageBytes must be at least 1");
            require(!keepaliveInterval.isNegative() && !keepaliveInterval.isZero()
                    && keepaliveInterval.compareTo(Duration.ofSeconds(25)) <= 0,
                    "keepaliveInterval must be in (0 s, 25 s] to keep NAT bindings alive");
            require(idleTimeout.compareTo(keepaliveInterval) > 0, "idleTimeout must exceed keepaliveInterval");
            require(!closeTimeout.isNegative(), "closeTimeout must not be negative");
            require(receiveWindowBytes >= MIN_RECEIVE_WINDOW_BYTES, "receiveWindowBytes must be at least 64 KiB");
            require(sendBufferBytes >= 64 * 1024, "sendBufferBytes must be at least 64 KiB");
            require(initialPayloadBytes >= SAFE_UDP_PAYLOAD_BYTES && initialPayloadBytes <= MAX_UDP_PAYLOAD_BYTES,
                    "initialPayloadBytes must be in [1200, 65507]");
            require(maxPayloadBytes >= initialPayloadBytes && maxPayloadBytes <= MAX_UDP_PAYLOAD_BYTES,
                    "maxPayloadBytes must be in [initialPayloadBytes, 65507]");
            require(maxPendingHandshakes >= 1, "maxPendingHandshakes must be at least 1");
            require(socketBufferBytes >= 64 * 1024, "socketBufferBytes must be at least 64 KiB");
            return new UdtConfig(this);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
