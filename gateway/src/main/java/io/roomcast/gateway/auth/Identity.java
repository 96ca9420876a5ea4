package io.roomcast.gateway.auth;

/**
 * A verified player.
 *
 * @param playerId   stable across the player's connections and nodes: 1..64 of {@code [A-Za-z0-9_.:@-]}
 * @param playerName the display name, 1..32 printable characters
 */
public record Identity(String playerId, String playerName) {

    public Identity {
        if (playerId == null || !playerId.matches("[A-Za-z0-9_.:@-]{1,64}")) {
            throw new IllegalArgumentException("a player id is 1..64 of [A-Za-z0-9_.:@-]");
        }
        if (!validName(playerName)) {
            throw new IllegalArgumentException("a player name is 1..32 printable characters");
        }
    }

    /** The rule for display names (also {@code Hello.player_name}'s). */
    public static boolean validName(String name) {
        return name != null && !name.isBlank() && name.strip().codePointCount(0, name.strip().length()) <= 32
                && name.chars().noneMatch(Character::isISOControl);
    }
}
