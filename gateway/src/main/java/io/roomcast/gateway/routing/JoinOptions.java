package io.roomcast.gateway.routing;

import io.roomcast.core.room.RoomType;

import java.util.Map;

/** The limits of {@code Join.options}: what a client may ask a room to be created with. */
final class JoinOptions {

    static final int MAX_VALUE_CHARS = 64;

    private JoinOptions() {}

    /** Why these options are refused (an INVALID_ARGUMENT message), or null when they are fine. */
    static String problem(Map<String, String> options) {
        if (options.size() > RoomType.MAX_OPTIONS) {
            return "a join has at most " + RoomType.MAX_OPTIONS + " options, not " + options.size();
        }
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (!RoomType.OPTION_NAME.matcher(option.getKey()).matches()) {
                return "an option name is 1..32 of [A-Za-z0-9_.-]";
            }
            String value = option.getValue();
            if (value.codePointCount(0, value.length()) > MAX_VALUE_CHARS || value.chars().anyMatch(Character::isISOControl)) {
                return "option '" + option.getKey() + "': a value is 0.." + MAX_VALUE_CHARS + " printable characters";
            }
        }
        return null;
    }
}
