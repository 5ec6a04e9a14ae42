package io.crust.core.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpFrameTransportTest {
    private ServerSocket server;
    private Socket raw;
    private TcpFrameTransport transport;

    /** A transport on one end of a loopback connection and a raw socket on the other. */
    @BeforeEach
    void connect() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        server = new ServerSocket(0, 1, loopback);
        raw = new Socket(loopback, server.getLocalPort());
        transport = new TcpFrameTransport(server.accept(), 1024);
    }

    @AfterEach
    void close() throws Exception {
        transport.close();
        raw.close();
        server.close();
    }

    @Test
    void framesKeepTheirBoundariesAndAreLengthPrefixedBigEndian() throws Exception {
        transport.writeFrame(new byte[] {9, 1, 2, 3, 9}, 1, 3);
        transport.writeFrame(new byte[0], 0, 0);
        byte[] wire = raw.getInputStream().readNBytes(7);
        assertThat(wire).containsExactly(0x00, 0x03, 1, 2, 3, 0x00, 0x00);

        OutputStream out = raw.getOutputStream();
        out.write(new byte[] {0x01, 0x00}); // 256 bytes, written in two pieces
        out.write(new byte[100]);
        out.flush();
        out.write(new byte[156]);
        out.write(new byte[] {0x00, 0x01, 42});
        out.flush();
        assertThat(transport.readFrame()).hasSize(256);
        assertThat(transport.readFrame()).containsExactly(42);
    }

    @Test
    void anOversizedLengthPrefixIsRejectedWithoutWaitingForTheBody() throws Exception {
        // Only the header arrives: a reader that allocated and waited for 65535 bytes would block here.
        raw.getOutputStream().write(new byte[] {(byte) 0xff, (byte) 0xff});
        raw.getOutputStream().flush();
        assertThatThrownBy(() -> transport.readFrame()).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
            assertThat(e.announcedBytes()).isEqualTo(65535);
            assertThat(e.maxFrameBytes()).isEqualTo(1024);
        });
    }

    @Test
    void aStreamCutInsideAFrameIsATruncationEof() throws Exception {
        raw.getOutputStream().write(new byte[] {0x00, 0x10, 1, 2, 3});
        raw.close();
        assertThatThrownBy(() -> transport.readFrame()).isInstanceOf(EOFException.class)
                .hasMessageContaining("inside a frame of 16 bytes");
    }

    @Test
    void aStreamCutInsideAHeaderIsATruncationEof() throws Exception {
        raw.getOutputStream().write(new byte[] {0x00});
        raw.close();
        assertThatThrownBy(() -> transport.readFrame()).isInstanceOf(EOFException.class)
                .hasMessageContaining("inside a frame header");
    }

    @Test
    void aCloseBetweenFramesIsACleanEof() throws Exception {
        raw.getOutputStream().write(new byte[] {0x00, 0x01, 7});
        raw.close();
        assertThat(transport.readFrame()).containsExactly(7);
        assertThatThrownBy(() -> transport.readFrame()).isInstanceOf(EOFException.class)
                .hasMessageStartingWith("connection closed by");
    }

    @Test
    void framesOverTheLimitAreRefusedOnSend() {
        assertThatThrownBy(() -> transport.writeFrame(new byte[1025], 0, 1025)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentWritersNeverInterleaveFrames() throws Exception {
        int writers = 4;
        int frames = 200;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte fill = (byte) (w + 1);
                writes.add(executor.submit(() -> {
                    byte[] frame = new byte[1000];
                    java.util.Arrays.fill(frame, fill);
                    for (int i = 0; i < frames; i++) {
                        transport.writeFrame(frame, 0, frame.length);
                    }
                    return null;
                }));
            }
            TcpFrameTransport reader = new TcpFrameTransport(raw, 1024);
            for (int i = 0; i < writers * frames; i++) {
                byte[] frame = reader.readFrame();
                assertThat(frame).hasSize(1000);
                byte first = frame[0];
                for (byte b : frame) {
                    assertThat(b).isEqualTo(first);
                }
            }
            for (Future<?> write : writes) {
                write.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void closeUnblocksABlockedReader() throws Exception {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<byte[]> blocked = executor.submit(() -> transport.readFrame());
            transport.close();
            assertThatThrownBy(() -> blocked.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(java.io.IOException.class);
        }
    }
}
