package io.roomcast.bots;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** Writes maps, lists, strings, numbers, booleans and nulls as indented JSON. */
public final class Json {

    private Json() {}

    public static String write(Object value) {
        StringBuilder out = new StringBuilder(16 * 1024);
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object value, int depth) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Boolean b -> out.append(b);
            case Double d -> number(out, d);
            case Float f -> number(out, f.doubleValue());
            case Number n -> out.append(n.longValue());
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.append(first ? "\n" : ",\n");
                    first = false;
                    indent(out, depth + 1);
                    string(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), depth + 1);
                }
                out.append('\n');
                indent(out, depth);
                out.append('}');
            }
            case Collection<?> list -> {
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                boolean flat = list.stream().allMatch(v -> v == null || v instanceof Number || v instanceof Boolean
                        || v instanceof String s && s.length() < 40);
                out.append('[');
                boolean first = true;
                for (Object v : list) {
                    if (flat) {
                        out.append(first ? "" : ", ");
                    } else {
                        out.append(first ? "\n" : ",\n");
                        indent(out, depth + 1);
                    }
                    first = false;
                    write(out, v, depth + 1);
                }
                if (!flat) {
                    out.append('\n');
                    indent(out, depth);
                }
                out.append(']');
            }
            case double[] array -> {
                out.append('[');
                for (int i = 0; i < array.length; i++) {
                    out.append(i == 0 ? "" : ", ");
                    number(out, array[i]);
                }
                out.append(']');
            }
            default -> string(out, value.toString());
        }
    }

    private static void number(StringBuilder out, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            out.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            String s = String.format(Locale.ROOT, "%.6g", d);
            if (s.contains("e") || s.contains("E")) {
                out.append(Double.toString(d));
            } else {
                // trim trailing zeros of the fixed notation
                if (s.contains(".")) {
                    s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
                }
                out.append(s);
            }
        }
    }

    private static void indent(StringBuilder out, int depth) {
        out.append("  ".repeat(depth));
    }

    static void string(StringBuilder out, String s) {
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
