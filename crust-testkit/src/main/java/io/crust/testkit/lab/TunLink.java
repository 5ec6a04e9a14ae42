package io.crust.testkit.lab;

import java.net.InetAddress;
import java.time.Duration;

/**
 * A point-to-point link between two lab namespaces through the user-space emulator
 * ({@code tunlink.py}): each side has a TUN interface with its own address and a host route to
 * the other's, and every packet between them is shaped by a {@link LinkShape}. The link is
 * separate from the NAT topology: traffic to {@link #addressB()} from A's namespace takes it.
 * Closing it (or the lab) stops the emulator, and the interfaces vanish with it.
 */
public final class TunLink implements AutoCloseable {

    private final LabHost a;
    private final LabHost b;
    private final InetAddress addressA;
    private final InetAddress addressB;
    private final LinkShape shape;
    private final LabProcess emulator;

    TunLink(LabHost a, LabHost b, InetAddress addressA, InetAddress addressB, LinkShape shape, LabProcess emulator) {
        this.a = a;
        this.b = b;
        this.addressA = addressA;
        this.addressB = addressB;
        this.shape = shape;
        this.emulator = emulator;
    }

    public LabHost hostA() {
        return a;
    }

    public LabHost hostB() {
        return b;
    }

    /** A's address on this link (reach A from B by it). */
    public InetAddress addressA() {
        return addressA;
    }

    /** B's address on this link (reach B from A by it). */
    public InetAddress addressB() {
        return addressB;
    }

    public LinkShape shape() {
        return shape;
    }

    /** The emulator's counters per direction (offered, dropped, duplicated, reordered, delivered...). */
    public String stats() throws LabException {
        emulator.writeLine("STATS");
        return emulator.awaitLine(line -> line.startsWith("STATS"), Duration.ofSeconds(10));
    }

    /** Stops the emulator; both interfaces disappear. */
    @Override
    public void close() {
        emulator.closeStdin();
        try {
            emulator.waitFor(Duration.ofSeconds(5));
        } catch (LabException e) {
            emulator.close();
        }
        emulator.close();
    }

    @Override
    public String toString() {
        return "TunLink[" + a.namespace() + " " + addressA.getHostAddress() + " <-> "
                + b.namespace() + " " + addressB.getHostAddress() + ", " + shape + "]";
    }
}
