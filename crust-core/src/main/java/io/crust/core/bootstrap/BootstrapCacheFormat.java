package io.crust.core.bootstrap;

import io.crust.core.PeerId;
import io.crust.core.PeerRecord.Address;
import io.crust.core.bootstrap.BootstrapCache.Entry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;

/** The text form of the bootstrap cache file: one peer per line, see {@link BootstrapCache}. */
final class BootstrapCacheFormat {
    private BootstrapCacheFormat() {
    }

    static String format(String header, Collection<Entry> entries) {
        StringBuilder out = new StringBuilder(header).append('\n');
        for (Entry e : entries) {
            out.append(e.peerId()).append(' ').append(e.lastSuccessMillis()).append(' ').append(e.failures());
            for (Address a : e.addresses()) {
                out.append(' ').append(a);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * Parses a cache file. Peers beyond {@code capacity} are dropped (the capacity may have shrunk since
     * the file was written); everything else that is not exactly as written by {@link #format} fails.
     *
     * @throws IllegalArgumentException saying which line is wrong and why
     */
    static LinkedHashMap<PeerId, Entry> parse(String text, int capacity, int maxAddresses, int maxLineChars, String header) {
        LinkedHashMap<PeerId, Entry> entries = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        if (!lines[0].equals(header)) {
            throw new IllegalArgumentException("the first line is not '" + header + "'");
        }
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.length() > maxLineChars) {
                throw new IllegalArgumentException("line " + (i + 1) + " is longer than " + maxLineChars + " characters");
            }
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Entry entry = parseLine(line, i + 1, maxAddresses);
            if (entries.containsKey(entry.peerId())) {
                throw new IllegalArgumentException("line " + (i + 1) + " repeats peer " + entry.peerId());
            }
            if (entries.size() < capacity) {
                entries.put(entry.peerId(), entry);
            }
        }
        return entries;
    }

    private static Entry parseLine(String line, int number, int maxAddresses) {
        String[] fields = line.strip().split(" +");
        if (fields.length < 4) {
            throw new IllegalArgumentException("line " + number + " has " + fields.length
                    + " fields; expected peer id, last success, failures and at least one address");
        }
        if (fields.length - 3 > maxAddresses) {
            throw new IllegalArgumentException("line " + number + " has more than " + maxAddresses + " addresses");
        }
        try {
            PeerId peer = PeerId.parse(fields[0]);
            long lastSuccessMillis = Long.parseLong(fields[1]);
            int failures = Integer.parseInt(fields[2]);
            if (lastSuccessMillis < 0 || failures < 0) {
                throw new IllegalArgumentException("negative time or failure count");
            }
            List<Address> addresses = new ArrayList<>(fields.length - 3);
            for (int f = 3; f < fields.length; f++) {
                addresses.add(Address.parse(fields[f]));
            }
            return new Entry(peer, addresses, lastSuccessMillis, failures);
        } catch (IllegalArgumentException e) {
            // NumberFormatException is an IllegalArgumentException too.
            throw new IllegalArgumentException("line " + number + ": " + e.getMessage(), e);
        }
    }
}
