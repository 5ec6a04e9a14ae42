package io.crust.demo;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The few lines of JSON the demo prints: one object per line, fields in insertion order.
 * Values may be strings, numbers, booleans, null, collections (arrays) and maps (objects).
 *
 * <p>One style for every tool (docs/tutorial.md): keys are lower camelCase ({@code rttMillis},
 * {@code lifetimeSeconds}), with the unit in the name when there is one; each line's {@code "event"}
 * says what it is; words inside values are joined by hyphens ({@code "file-sent"}, {@code "behind-nat"}).
 * {@link #put} refuses any other key.
 */
public final class Json {
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[a-z][a-zA-Z0-9]*");

    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Json() {
    }

    /** Starts an object; the usual first field is {@code "event"}. */
    public static Json object() {
        return new Json();
    }

    /**
     * Adds a field.
     *
     * @throws IllegalArgumentException if {@code name} is not lower camelCase
     */
    public Json put(String name, Object value) {
        if (!KEY.matcher(name).matches()) {
            throw new IllegalArgumentException("JSON keys are lower camelCase, not '" + name + "'");
        }
        fields.put(name, value);
        return this;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        write(out, fields);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Json json) {
            write(out, json.fields);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(out, String.valueOf(e.getKey()));
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(out, item);
            }
            out.append(']');
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            out.append(value);
        } else if (value instanceof Number n) {
            double d = n.doubleValue();
            out.append(Double.isFinite(d) ? String.valueOf(d) : "null");
        } else {
            quote(out, value.toString());
        }
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
