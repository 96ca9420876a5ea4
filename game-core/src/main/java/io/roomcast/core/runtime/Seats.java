package io.roomcast.core.runtime;

import io.roomcast.core.room.Player;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who holds which seat of a room, and the seq of each seat's last applied input.
 *
 * <p>Threading: confined to the room's thread.
 */
final class Seats {

    private final Player[] bySeat;
    private final int[] lastInputSeq;
    private final Map<String, Player> byId = new HashMap<>();
    private List<Player> inSeatOrder = List.of();

    Seats(int capacity) {
        bySeat = new Player[capacity];
        lastInputSeq = new int[capacity];
    }

    /** A player for the lowest free seat, not yet seated; null when every seat is taken. */
    Player candidate(String playerId, String name) {
        for (int seat = 0; seat < bySeat.length; seat++) {
            if (bySeat[seat] == null) {
                return new Player(playerId, name, seat);
            }
        }
        return null;
    }

    void seat(Player player) {
        if (bySeat[player.seat()] != null || byId.containsKey(player.id())) {
            throw new IllegalStateException("seat or player taken: " + player);
        }
        bySeat[player.seat()] = player;
        lastInputSeq[player.seat()] = 0;
        byId.put(player.id(), player);
        inSeatOrder = null;
    }

    /** Seats a player who held this seat before the room was taken over, with its last input seq. */
    void reseat(Player player, int lastInputSeq) {
        if (player.seat() < 0 || player.seat() >= bySeat.length) {
            throw new IllegalArgumentException("seat " + player.seat() + " is not one of the room's "
                    + bySeat.length + " seats");
        }
        seat(player);
        this.lastInputSeq[player.seat()] = lastInputSeq;
    }

    /** Frees the player's seat; returns the player, or null if it held none. */
    Player release(String playerId) {
        Player player = byId.remove(playerId);
        if (player != null) {
            bySeat[player.seat()] = null;
            inSeatOrder = null;
        }
        return player;
    }

    Player get(String playerId) {
        return byId.get(playerId);
    }

    int count() {
        return byId.size();
    }

    /** The seated players in seat order; a read-only list, rebuilt only when seats change. */
    List<Player> inSeatOrder() {
        if (inSeatOrder == null) {
            List<Player> players = new ArrayList<>(byId.size());
            for (Player player : bySeat) {
                if (player != null) {
                    players.add(player);
                }
            }
            inSeatOrder = Collections.unmodifiableList(players);
        }
        return inSeatOrder;
    }

    /** The last applied seq (an unsigned 32-bit value), 0 when none yet. */
    int lastInputSeq(Player player) {
        return lastInputSeq[player.seat()];
    }

    /** The caller checked that {@code seq} is above the last one. */
    void recordInputSeq(Player player, int seq) {
        lastInputSeq[player.seat()] = seq;
    }
}
