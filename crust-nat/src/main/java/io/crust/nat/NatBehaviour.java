package io.crust.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How the NAT (or its absence) in front of one UDP socket behaves, in the terms of RFC 4787 and
 * RFC 5780: how it maps, how it filters, whether it hairpins and how long an idle binding lives.
 *
 * @param local           the socket's own address
 * @param external        its reflexive address, as the first server saw it
 * @param mapping         RFC 4787 section 4.1: does the external address depend on the destination?
 * @param filtering       RFC 4787 section 5: which senders may reach the external address?
 * @param hairpinning     RFC 4787 section 6: does a datagram to our own external address come back?
 * @param bindingLifetime a lower bound of the idle binding lifetime measured by a bounded probe, or
 *                        null when not measured
 */
public record NatBehaviour(InetSocketAddress local, InetSocketAddress external, Dependence mapping,
        Dependence filtering, Hairpinning hairpinning, Duration bindingLifetime) {

    /** The three behaviours of RFC 4787 for mapping and for filtering. */
    public enum Dependence {
        /** Mapping: one external address for every destination. Filtering: anyone may send to it. */
        ENDPOINT_INDEPENDENT("endpoint-independent"),
        /**
         * Mapping: a new external address per destination IP. Filtering: only IP addresses this socket sent to
         * may send to it.
         */
        ADDRESS_DEPENDENT("address-dependent"),
        /**
         * Mapping: a new external address per destination IP and port. Filtering: only addresses and ports this
         * socket sent to may send to it.
         */
        ADDRESS_AND_PORT_DEPENDENT("address-and-port-dependent"),
        /** The test could not be run (for example, the server has no alternate address). */
        UNKNOWN("unknown");

        private final String label;

        Dependence(String label) {
            this.label = label;
        }

        /** {@return the RFC term, as the demo prints it: {@code endpoint-independent} and so on} */
        public String label() {
            return label;
        }
    }

    /** Whether a datagram sent to our own external address comes back to us (RFC 4787 section 6). */
    public enum Hairpinning {
        /** It came back: two hosts behind this NAT can reach each other at their reflexive addresses. */
        SUPPORTED,
        /** It did not come back within the test's timeout. */
        NOT_SUPPORTED,
        /** Not tested. */
        UNKNOWN
    }

    /**
     * Checks that every component but {@code bindingLifetime} is present.
     *
     * @throws NullPointerException if a component other than {@code bindingLifetime} is null
     */
    public NatBehaviour {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(external, "external");
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(filtering, "filtering");
        Objects.requireNonNull(hairpinning, "hairpinning");
    }

    /**
     * {@return true when the external address differs from the local one: something translates} (The
     * classifier reports a wildcard-bound socket whose external address is one of its own
     * interface addresses with that address as {@code local}.)
     */
    public boolean behindNat() {
        return !external.equals(local);
    }

    /** {@return true when mapping depends on the destination ("symmetric NAT")} Reflexive addresses then do not carry over to other peers. */
    public boolean endpointDependentMapping() {
        return mapping == Dependence.ADDRESS_DEPENDENT || mapping == Dependence.ADDRESS_AND_PORT_DEPENDENT;
    }

    /** {@return the classic RFC 3489 name: open, full cone, restricted cone, port-restricted cone, symmetric, or unknown} */
    public String classicName() {
        if (endpointDependentMapping()) {
            return "symmetric";
        }
        if (mapping == Dependence.UNKNOWN || filtering == Dependence.UNKNOWN) {
            return "unknown";
        }
        if (!behindNat() && filtering == Dependence.ENDPOINT_INDEPENDENT) {
            return "open";
        }
        return switch (filtering) {
            case ENDPOINT_INDEPENDENT -> "full cone";
            case ADDRESS_DEPENDENT -> "restricted cone";
            default -> "port-restricted cone";
        };
    }

    /**
     * Adds the result of {@link NatClassifier#bindingLifetimeAtLeast} to a classification.
     *
     * @param lifetime a lower bound of the idle binding lifetime, or null for "not measured"
     * @return a copy with this binding lifetime
     */
    public NatBehaviour withBindingLifetime(Duration lifetime) {
        return new NatBehaviour(local, external, mapping, filtering, hairpinning, lifetime);
    }
}
