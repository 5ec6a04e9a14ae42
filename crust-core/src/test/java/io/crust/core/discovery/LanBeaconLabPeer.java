package io.crust.core.discovery;

import io.crust.core.Identity;
import io.crust.core.PeerRecord;
import io.crust.core.PeerRecord.Address;
import io.crust.core.PeerRecord.Kind;
import io.crust.core.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Runs a LAN beacon with multicast and broadcast inside a lab namespace (started by
 * {@link LanBeaconLabTest}). Arguments: network name, own host address, {@code multicast} or
 * {@code broadcast} (how to announce). Prints {@code ID <peer id>},
 * then {@code FOUND <peer id>} for each peer reported; stops when standard input closes.
 */
public final class LanBeaconLabPeer {
    private LanBeaconLabPeer() {
    }

    public static void main(String[] args) throws Exception {
        String network = args[0];
        Identity identity = Identity.generate();
        PeerRecord record = PeerRecord.signed(identity, network, System.currentTimeMillis(),
                List.of(new Address(Transport.TCP, Kind.HOST, new InetSocketAddress(args[1], 5483))));
        LanBeacon.Config defaults = LanBeacon.Config.defaults(network);
        boolean multicast = args[2].equals("multicast");
        LanBeacon.Config config = new LanBeacon.Config(network, defaults.port(), defaults.multicastGroup(),
                Duration.ofMillis(500), multicast, !multicast, List.of(), defaults.bindAddress());
        // The ID line comes first: the test reads lines in order, so a FOUND line printed before it
        // would be passed over while the test waits for the ID.
        System.out.println("ID " + identity.peerId());
        System.out.flush();
        try (LanBeacon beacon = LanBeacon.start(config, () -> record, found -> {
            synchronized (System.out) {
                System.out.println("FOUND " + found.peerId() + " " + found.addresses());
                System.out.flush();
            }
        })) {
            while (System.in.read() >= 0) {
                // run until the test closes our standard input
            }
        }
    }
}
