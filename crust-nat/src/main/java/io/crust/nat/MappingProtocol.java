package io.crust.nat;

import java.util.Locale;

/** The gateway protocols a {@link PortMapper} speaks. */
public enum MappingProtocol {
    /** Port Control Protocol, RFC 6887 (UDP port 5351 on the gateway). */
    PCP("pcp"),
    /** NAT Port Mapping Protocol, RFC 6886 (UDP port 5351 on the gateway). */
    NAT_PMP("natpmp"),
    /** UPnP Internet Gateway Device, WANIPConnection / WANPPPConnection over SSDP, HTTP and SOAP. */
    UPNP("upnp");

    private final String label;

    MappingProtocol(String label) {
        this.label = label;
    }

    /** {@return the short lower-case name used on command lines and in JSON: {@code pcp}, {@code natpmp}, {@code upnp}} */
    public String label() {
        return label;
    }

    /**
     * Parses {@link #label()} (case-insensitive).
     *
     * @param label {@code pcp}, {@code natpmp} or {@code upnp}, in any case
     * @return the protocol
     * @throws IllegalArgumentException if the label names no protocol
     */
    public static MappingProtocol fromLabel(String label) {
        String wanted = label.toLowerCase(Locale.ROOT);
        for (MappingProtocol p : values()) {
            if (p.label.equals(wanted)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown mapping protocol: " + label + " (expected pcp, natpmp or upnp)");
    }
}
