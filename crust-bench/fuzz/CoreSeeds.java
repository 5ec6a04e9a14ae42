// Writes the crust-core fuzz seeds from the real encoders (see crust-bench/fuzz/README.md).
import io.crust.core.*;
import io.crust.core.discovery.GossipMessage;
import io.crust.core.wire.*;
import java.net.InetSocketAddress;
import java.nio.file.*;
import java.util.List;

public class CoreSeeds {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0], "RecordFuzzTestInputs");
        Identity id = Identity.generate();
        InetSocketAddress v4 = new InetSocketAddress("192.0.2.7", 5483);
        InetSocketAddress v6 = new InetSocketAddress("2001:db8::7", 5483);
        PeerRecord record = PeerRecord.signed(id, "fuzz-net", 7, List.of(
                new PeerRecord.Address(Transport.TCP, PeerRecord.Kind.HOST, v4),
                new PeerRecord.Address(Transport.UDT, PeerRecord.Kind.HOST, v6)));
        write(root, "peerRecordsDecodeOrAreRefusedWithCrustException", "signed-record", record.encode());
        write(root, "gossipMessagesDecodeOrAreRefusedWithCrustException", "two-records",
                new GossipMessage(3, List.of(record, PeerRecord.signed(Identity.generate(), "fuzz-net", 1, List.of()))).encode());
        ConnectionInfo info = new ConnectionInfo(id.peerId(), List.of(v4), List.of(v6));
        write(root, "connectionInfoDecodesOrIsRefused", "binary", ConnectionInfoCodec.encode(info));
        write(root, "connectionInfoDecodesOrIsRefused", "text", ConnectionInfoCodec.toText(info).getBytes());
        WireCodec codec = new WireCodec(64 * 1024);
        String m = "wireMessagesDecodeOrAreRefusedWithWireFormatException";
        write(root, m, "hello", codec.encode(new WireMessage.Hello(true, Transport.TCP, v4, info)));
        write(root, m, "app", codec.encode(new WireMessage.App(new byte[] {1, 2, 3})));
        write(root, m, "heartbeat", codec.encode(new WireMessage.Heartbeat()));
        write(root, m, "goodbye", codec.encode(new WireMessage.Goodbye("bye")));
        write(root, m, "retire", codec.encode(new WireMessage.Retire()));
        write(root, m, "gossip", codec.encode(new WireMessage.Gossip(new GossipMessage(1, List.of(record)).encode())));
        WireMessage.ConnectInfo ci = new WireMessage.ConnectInfo(false, 42, new byte[16], info);
        write(root, m, "connect-info", codec.encode(ci));
        write(root, m, "forward", codec.encode(new WireMessage.Forward(true, id.peerId(), ci)));
        write(root, m, "relay-open", codec.encode(new WireMessage.RelayOpen(true, 5, id.peerId())));
        write(root, m, "relay-data", codec.encode(new WireMessage.RelayData(5, new byte[] {9, 9})));
        write(root, m, "relay-close", codec.encode(new WireMessage.RelayClose(5, "done")));
    }

    static void write(Path root, String method, String name, byte[] bytes) throws Exception {
        Path dir = root.resolve(method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }
}
