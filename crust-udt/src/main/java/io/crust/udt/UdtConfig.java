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

    /** {@return a builder holding the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the defaults} */
    public static UdtConfig defaults() {
        return builder().build();
    }

    /** {@return the largest message {@link UdtConnection#receive()} accepts, in bytes} A larger announced length fails the connection. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** {@return how long a connection may hear nothing from its peer before it fails} */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** {@return how long a connection may send nothing before it sends a keepalive} */
    public Duration keepaliveInterval() {
        return keepaliveInterval;
    }

    /**
     * {@return how long {@link UdtConnection#close()} waits for the peer to acknowledge more of the
     * sent data before it gives up and aborts} Each acknowledged byte restarts the wait.
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** {@return the bytes the receiver buffers ahead of the application} Advertised to the sender in every ACK. */
    public int receiveWindowBytes() {
        return receiveWindowBytes;
    }

    /** {@return the bytes written but not yet acknowledged that a connection holds} Writers block beyond it. */
    public int sendBufferBytes() {
        return sendBufferBytes;
    }

    /** {@return the congestion controller of new connections} */
    public CongestionControl congestionControl() {
        return congestionControl;
    }

    /** {@return the UDP payload size used before path MTU probing has confirmed anything larger} */
    public int initialPayloadBytes() {
        return initialPayloadBytes;
    }

    /** {@return the upper bound of path MTU probing, in bytes of UDP payload} */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** {@return whether connections probe for a larger datagram size (RFC 8899)} */
    public boolean pmtuProbing() {
        return pmtuProbing;
    }

    /**
     * Whether the endpoint may use the Linux fast path: {@code recvmmsg} batches and UDP segmentation
     * offload through the foreign function API. It is used only on JDK 22+ on Linux and when the
     * application grants native access ({@code --enable-native-access=io.crust.udt}, or
     * {@code ALL-UNNAMED} on the class path); elsewhere the endpoint uses the JDK's datagram socket (or
     * channel) calls, with the same behaviour. {@link UdtEndpoint#datagramPath()} tells which one an endpoint got.
     *
     * @return whether the fast path may be used
     */
    public boolean fastPath() {
        return fastPath;
    }

    /** {@return how many accepted connections may wait for {@link UdtEndpoint#accept}} Further handshakes are dropped. */
    public int maxPendingHandshakes() {
        return maxPendingHandshakes;
    }

    /** {@return the SO_RCVBUF and SO_SNDBUF the endpoint asks for its socket, in bytes} The kernel may grant less. */
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

        /**
         * Sets {@link UdtConfig#maxMessageBytes()}. Default 16 MiB; at least 1.
         *
         * @param bytes the largest message, in bytes
         * @return this builder
         */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * Sets {@link UdtConfig#idleTimeout()}. Default 20 s; must exceed the keepalive interval.
         *
         * @param timeout how long a connection may hear nothing
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Sets {@link UdtConfig#keepaliveInterval()}. Default 5 s; at most 25 s so that NAT bindings (often 30 s for UDP) stay open.
         *
         * @param interval how long a connection may send nothing
         * @return this builder
         */
        public Builder keepaliveInterval(Duration interval) {
            this.keepaliveInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Sets {@link UdtConfig#closeTimeout()}. Default 10 s.
         *
         * @param timeout how long {@code close()} waits for more of the data to be acknowledged
         * @return this builder
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Sets {@link UdtConfig#receiveWindowBytes()}. Default 4 MiB; at least 64 KiB.
         *
         * @param bytes the receive window
         * @return this builder
         */
        public Builder receiveWindowBytes(int bytes) {
            this.receiveWindowBytes = bytes;
            return this;
        }

        /**
         * Sets {@link UdtConfig#sendBufferBytes()}. Default 4 MiB; at least 64 KiB.
         *
         * @param bytes the send buffer
         * @return this builder
         */
        public Builder sendBufferBytes(int bytes) {
            this.sendBufferBytes = bytes;
            return this;
        }

        /**
         * Sets {@link UdtConfig#congestionControl()}. Default {@link CongestionControl#BBR}.
         *
         * @param controller the congestion controller of new connections
         * @return this builder
         */
        public Builder congestionControl(CongestionControl controller) {
            this.congestionControl = Objects.requireNonNull(controller, "controller");
            return this;
        }

        /**
         * Sets {@link UdtConfig#initialPayloadBytes()}. Default and minimum 1,200 bytes of UDP payload.
         *
         * @param bytes the payload size before probing
         * @return this builder
         */
        public Builder initialPayloadBytes(int bytes) {
            this.initialPayloadBytes = bytes;
            return this;
        }

        /**
         * Sets {@link UdtConfig#maxPayloadBytes()}. Default 65,507 (the IPv4 maximum); at least the initial payload size.
         *
         * @param bytes the upper bound of probing
         * @return this builder
         */
        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = bytes;
            return this;
        }

        /**
         * Sets {@link UdtConfig#pmtuProbing()}. Default on.
         *
         * @param enabled whether to probe
         * @return this builder
         */
        public Builder pmtuProbing(boolean enabled) {
            this.pmtuProbing = enabled;
            return this;
        }

        /**
         * Sets {@link UdtConfig#fastPath()}. Default on (used only where available).
         *
         * @param allowed whether the endpoint may use the Linux fast path
         * @return this builder
         */
        public Builder fastPath(boolean allowed) {
            this.fastPath = allowed;
            return this;
        }

        /**
         * Sets {@link UdtConfig#maxPendingHandshakes()}. Default 64; at least 1.
         *
         * @param count accepted connections that may wait
         * @return this builder
         */
        public Builder maxPendingHandshakes(int count) {
            this.maxPendingHandshakes = count;
            return this;
        }

        /**
         * Sets {@link UdtConfig#socketBufferBytes()}. Default 4 MiB.
         *
         * @param bytes SO_RCVBUF and SO_SNDBUF to ask for
         * @return this builder
         */
        public Builder socketBufferBytes(int bytes) {
            this.socketBufferBytes = bytes;
            return this;
        }

        /**
         * Checks the settings together.
         *
         * @return the configuration
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
