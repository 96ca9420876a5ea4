package io.roomcast.gateway.http;

import java.util.Map;

/**
 * Renders JSON: the flat status objects of /healthz (strings, numbers and booleans), and the admin
 * page's nested values ({@link #value}: maps, lists, strings, numbers, booleans and nulls).
 */
final class Json {

    private Json() {}

    static String object(Map<String, Object> fields) {
        StringBuilder out = new StringBuilder("{");
        fields.forEach((name, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(string(name)).append(':');
            out.append(value instanceof Number || value instanceof Boolean ? value.toString() : string(String.valueOf(value)));
        });
        return out.append('}').toString();
    }

    /** Any value of maps (keys as strings), collections, strings, numbers, booleans and nulls. */
    static String value(Object value) {
        StringBuilder out = new StringBuilder();
        append(out, value);
        return out.toString();
    }

    private static void append(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b);
            case Double d when d.isNaN() || d.isInfinite() -> out.append("null");
            case Float f when f.isNaN() || f.isInfinite() -> out.append("null");
            case Number n -> out.append(n);
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    out.append(string(String.valueOf(entry.getKey()))).append(':');
                    append(out, entry.getValue());
                }
                out.append('}');
            }
            case java.util.Collection<?> list -> {
                out.append('[');
                boolean first = true;
                for (Object item : list) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    append(out, item);
                }
                out.append(']');
            }
            default -> out.append(string(String.valueOf(value)));
        }
    }

    private static String string(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
