package io.roomcast.core.room;

/**
 * A player holding (or asking for) a seat in a room.
 *
 * @param id   the session id, stable across reconnects within the seat grace period
 * @param name the display name given in the handshake
 * @param seat 0-based seat number, unique in the room while held
 */
public record Player(String id, String name, int seat) {}
