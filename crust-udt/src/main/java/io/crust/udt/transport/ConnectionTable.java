package io.crust.udt.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The endpoint's connections by local connection id: looked up for every datagram, changed only when a
 * connection opens or ends. So lookups read an immutable open-addressing table without a lock and
 * without boxing the id, and every change builds a new table under a lock (copy on write; a change
 * costs time in proportion to the table, a lookup a hash and a probe or two).
 */
final class ConnectionTable<V> {
    private static final class Table {
        final long[] ids;
        final Object[] values;
        final int size;

        Table(int capacity, int size) {
            this.ids = new long[capacity];
            this.values = new Object[capacity];
            this.size = size;
        }
    }

    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile Table table = new Table(16, 0);

    /** The connection with this id, or null. */
    @SuppressWarnings("unchecked")
    V get(long id) {
        Table t = table;
        int mask = t.ids.length - 1;
        for (int i = slot(id, mask); ; i = (i + 1) & mask) {
            Object v = t.values[i];
            if (v == null) {
                return null;
            }
            if (t.ids[i] == id) {
                return (V) v;
            }
        }
    }

    boolean containsKey(long id) {
        return get(id) != null;
    }

    /** Maps {@code id} to {@code value}, replacing what it mapped to. */
    void put(long id, V value) {
        writeLock.lock();
        try {
            Table t = table;
            table = rebuild(t, id, value, t.size + (get(id) == null ? 1 : 0));
        } finally {
            writeLock.unlock();
        }
    }

    /** Removes {@code id} if it still maps to {@code value}. */
    void remove(long id, V value) {
        writeLock.lock();
        try {
            if (get(id) == value) {
                table = rebuild(table, id, null, table.size - 1);
            }
        } finally {
            writeLock.unlock();
        }
    }

    int size() {
        return table.size;
    }

    /** A snapshot of the connections. */
    @SuppressWarnings("unchecked")
    List<V> values() {
        Table t = table;
        List<V> all = new ArrayList<>(t.size);
        for (Object v : t.values) {
            if (v != null) {
                all.add((V) v);
            }
        }
        return all;
    }

    /**
     * A copy of {@code old} with {@code id} mapped to {@code value} (or left out if null), at most half
     * full, so that an absent id is found out after a probe or two.
     */
    private static Table rebuild(Table old, long id, Object value, int size) {
        int capacity = 16;
        while (capacity < 2 * size) {
            capacity <<= 1;
        }
        Table t = new Table(capacity, size);
        for (int i = 0; i < old.values.length; i++) {
            if (old.values[i] != null && old.ids[i] != id) {
                insert(t, old.ids[i], old.values[i]);
            }
        }
        if (value != null) {
            insert(t, id, value);
        }
        return t;
    }

    private static void insert(Table t, long id, Object value) {
        int mask = t.ids.length - 1;
        int i = slot(id, mask);
        while (t.values[i] != null) {
            i = (i + 1) & mask;
        }
        t.ids[i] = id;
        t.values[i] = value;
    }

    private static int slot(long id, int mask) {
        long h = id * 0x9E3779B97F4A7C15L; // ids are random already; this spreads any that are not
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
