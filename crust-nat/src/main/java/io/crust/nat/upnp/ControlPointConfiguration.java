package io.crust.nat.upnp;

import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import org.jupnp.DefaultUpnpServiceConfiguration;
import org.jupnp.transport.spi.SOAPActionProcessor;
import org.jupnp.transport.impl.DatagramIOConfigurationImpl;
import org.jupnp.transport.impl.DatagramIOImpl;
import org.jupnp.transport.spi.DatagramIO;
import org.jupnp.transport.spi.MulticastReceiver;
import org.jupnp.transport.spi.NetworkAddressFactory;
import org.jupnp.transport.spi.StreamClient;
import org.jupnp.transport.spi.StreamServer;

/**
 * jupnp set up as a control point that only searches: HTTP through {@link HttpStreamClient} (no Jetty), no
 * HTTP server (GENA eventing is not needed to map ports), no multicast receiver (we do not listen to NOTIFY
 * advertisements; M-SEARCH answers come back unicast to jupnp's datagram socket). jupnp's executors are
 * stopped by {@link #shutdown()}, which {@link org.jupnp.UpnpService#shutdown()} calls.
 */
final class ControlPointConfiguration extends DefaultUpnpServiceConfiguration {
    private final HttpStreamClient streamClient;
    private final InetSocketAddress ssdpTarget;

    ControlPointConfiguration(HttpStreamClient streamClient, InetSocketAddress ssdpTarget) {
        super(0, 0);
        this.streamClient = streamClient;
        this.ssdpTarget = ssdpTarget;
    }

    /** jupnp's SOAP reader, keeping why an answer could not be read (jupnp's own message drops the cause). */
    @Override
    protected SOAPActionProcessor createSOAPActionProcessor() {
        // Called by the super constructor, before streamClient is set: the lambda reads it when a note comes.
        return new SoapAnswerReader(note -> streamClient.noteOnThisThread(note));
    }

    @Override
    public StreamClient<?> createStreamClient() {
        return streamClient;
    }

    @Override
    public StreamServer<?> createStreamServer(NetworkAddressFactory networkAddressFactory) {
        return null;
    }

    @Override
    public MulticastReceiver<?> createMulticastReceiver(NetworkAddressFactory networkAddressFactory) {
        return null;
    }

    @Override
    public DatagramIO<?> createDatagramIO(NetworkAddressFactory networkAddressFactory) {
        return new TargetedDatagramIO(ssdpTarget);
    }

    /**
     * jupnp's datagram socket, with its M-SEARCH requests sent to the configured SSDP target: the multicast
     * group by default, a unicast responder in tests.
     */
    private static final class TargetedDatagramIO extends DatagramIOImpl {
        private final InetSocketAddress target;

        TargetedDatagramIO(InetSocketAddress target) {
            super(new DatagramIOConfigurationImpl());
            this.target = target;
        }

        @Override
        public void send(DatagramPacket packet) {
            packet.setSocketAddress(target);
            super.send(packet);
        }
    }
}
