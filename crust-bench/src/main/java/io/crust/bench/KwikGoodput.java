package io.crust.bench;

import java.io.FileInputStream;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.NullLogger;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/** The same one-stream bulk transfer over QUIC with kwik 0.10.3 (TLS 1.3 inside, as QUIC requires). */
final class KwikGoodput {
    static final String ALPN = "crust-bench";
    private static final char[] PASSWORD = "crust-bench".toCharArray();

    private KwikGoodput() {
    }

    static void server(int port, String keystorePath) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(keystorePath)) {
            keyStore.load(in, PASSWORD);
        }
        CountDownLatch done = new CountDownLatch(1);
        ServerConnector connector = ServerConnector.builder()
                .withPort(port)
                .withKeyStore(keyStore, "bench", PASSWORD)
                .withConfiguration(ServerConnectionConfig.builder()
                        .maxIdleTimeoutInSeconds(30)
                        .maxOpenPeerInitiatedBidirectionalStreams(1)
                        .maxBidirectionalStreamBufferSize(4L * 1024 * 1024)
                        .maxConnectionBufferSize(8L * 1024 * 1024)
                        .build())
                .withLogger(new NullLogger())
                .build();
        connector.registerApplicationProtocol(ALPN, new ApplicationProtocolConnectionFactory() {
            @Override
            public ApplicationProtocolConnection createConnection(String protocol, QuicConnection connection) {
                return new ApplicationProtocolConnection() {
                    @Override
                    public void acceptPeerInitiatedStream(QuicStream stream) {
                        Thread.ofVirtual().start(() -> {
                            try {
                                Goodput.drain(stream.getInputStream(), "kwik", "");
                                stream.getOutputStream().close();
                            } catch (Exception e) {
                                e.printStackTrace();
                            } finally {
                                done.countDown();
                            }
                        });
                    }
                };
            }

            @Override
            public int maxConcurrentPeerInitiatedBidirectionalStreams() {
                return 1;
            }
        });
        connector.start();
        System.out.println("READY " + port);
        done.await();
        connector.close();
    }

    static void client(String host, int port, long bytes) throws Exception {
        QuicClientConnection connection = QuicClientConnection.newBuilder()
                .host(host).port(port)
                .applicationProtocol(ALPN)
                .noServerCertificateCheck()
                .connectTimeout(Duration.ofSeconds(30))
                .maxIdleTimeout(Duration.ofSeconds(30))
                .defaultStreamReceiveBufferSize(4L * 1024 * 1024)
                .logger(new NullLogger())
                .build();
        connection.connect();
        QuicStream stream = connection.createStream(true);
        double cpuAtStart = Figures.processCpuSeconds();
        long start = System.nanoTime();
        Goodput.fill(stream.getOutputStream(), bytes);
        stream.getOutputStream().close();
        stream.getInputStream().read(); // end of stream once the server has read everything
        Figures.of("goodput-client").put("transport", "kwik").goodput(bytes, System.nanoTime() - start)
                .put("transferCpuSeconds", Figures.processCpuSeconds() - cpuAtStart).print();
        connection.closeAndWait(Duration.ofSeconds(5));
    }
}
