package io.roomcast.gateway.http;

import java.util.Map;

/** Renders the flat status objects of /healthz. Only strings, numbers and booleans. */
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
