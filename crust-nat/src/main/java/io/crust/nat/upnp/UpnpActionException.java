package io.crust.nat.upnp;

import io.crust.nat.NatException;

/** The IGD answered a SOAP action with a UPnPError fault, for example 718 ConflictInMappingEntry. */
public final class UpnpActionException extends NatException {
    private static final long serialVersionUID = 1L;
    /** ConflictInMappingEntry: the external port is mapped to another client. */
    public static final int CONFLICT_IN_MAPPING_ENTRY = 718;
    /** NoSuchEntryInArray: no such mapping (deleting one that is already gone). */
    public static final int NO_SUCH_ENTRY_IN_ARRAY = 714;
    /** SamePortValuesRequired: internal and external port must be equal. */
    public static final int SAME_PORT_VALUES_REQUIRED = 724;
    /** OnlyPermanentLeasesSupported: the lease duration must be 0. */
    public static final int ONLY_PERMANENT_LEASES_SUPPORTED = 725;

    private final int errorCode;

    public UpnpActionException(String action, int errorCode, String description) {
        super("UPnP IGD refused " + action + ": error " + errorCode + " " + description);
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }
}
