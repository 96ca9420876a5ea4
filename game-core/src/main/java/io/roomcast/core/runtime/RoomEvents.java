package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.ServerFrame;

import java.util.List;

/**
 * Encodes a room's events once and hands them to the {@link RoomOutput}: room-wide events go
 * through the {@link EventLog} (and so get an offset), direct ones do not.
 *
 * <p>Threading: confined to the room's thread.
 */
final class RoomEvents {

    /** The {@code from_player} of an event the room itself sends. */
    static final String FROM_ROOM = "";

    private final String roomId;
    private final EventLog log;
    private final RoomOutput output;

    RoomEvents(String roomId, int logCapacity, RoomOutput output) {
        this.roomId = roomId;
        this.log = new EventLog(logCapacity);
        this.output = output;
    }

    /**
     * Logs the event and sends it to the whole room except its sender (none if from the room).
     * Returns its offset in the log.
     */
    long toRoom(String fromPlayerId, String name, ByteString payload) {
        byte[] frame = log.append(offset -> encode(event(fromPlayerId, name, payload).setOffset(offset)));
        output.toRoom(frame, fromPlayerId.equals(FROM_ROOM) ? null : fromPlayerId);
        return log.lastOffset();
    }

    void toPlayer(String fromPlayerId, String toPlayerId, String name, ByteString payload) {
        output.toPlayer(toPlayerId, encode(event(fromPlayerId, name, payload).setDirect(true)));
    }

    /** Continues the log of the room this one takes over; see {@link EventLog#restore}. */
    void restore(long lastOffset, List<byte[]> recent) {
        log.restore(lastOffset, recent);
    }

    List<byte[]> after(long offset) {
        return log.after(offset);
    }

    /** Offsets up to {@code offset} were given out by a former owner; see {@link EventLog#passOver}. */
    void passOver(long offset) {
        log.passOver(offset);
    }

    long lastOffset() {
        return log.lastOffset();
    }

    private Event.Builder event(String fromPlayerId, String name, ByteString payload) {
        return Event.newBuilder().setRoomId(roomId).setFromPlayer(fromPlayerId).setName(name).setPayload(payload);
    }

    private static byte[] encode(Event.Builder event) {
        return ServerFrame.newBuilder().setEvent(event).build().toByteArray();
    }
}
