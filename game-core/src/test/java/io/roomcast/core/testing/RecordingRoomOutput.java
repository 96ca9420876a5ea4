package io.roomcast.core.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.RoomOutput;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RoomOutput} that keeps, decoded, everything a room runtime sends, for assertions.
 *
 * <p>Threading: not thread-safe; use it on the room's (the test's) thread.
 */
public final class RecordingRoomOutput implements RoomOutput {

    /** A frame to the whole room; {@code exceptPlayerId} may be null. */
    public record RoomFrame(ServerFrame frame, byte[] bytes, String exceptPlayerId) {}

    public record PlayerFrame(String playerId, ServerFrame frame, byte[] bytes) {}

    public record Removal(String playerId, LeaveCause cause, String detail) {}

    private final List<RoomFrame> roomFrames = new ArrayList<>();
    private final List<PlayerFrame> playerFrames = new ArrayList<>();
    private final List<Removal> removals = new ArrayList<>();
    private final List<Long> ticksLate = new ArrayList<>();
    private boolean roomClosed;

    /** Decodes an encoded {@code ServerFrame}, failing the test if it does not parse. */
    public static ServerFrame decode(byte[] serverFrame) {
        try {
            return ServerFrame.parseFrom(serverFrame);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a ServerFrame", e);
        }
    }

    @Override
    public void toRoom(byte[] serverFrame, String exceptPlayerId) {
        roomFrames.add(new RoomFrame(decode(serverFrame), serverFrame, exceptPlayerId));
    }

    @Override
    public void toPlayer(String playerId, byte[] serverFrame) {
        playerFrames.add(new PlayerFrame(playerId, decode(serverFrame), serverFrame));
    }

    @Override
    public void playerRemoved(String playerId, LeaveCause cause, String detail) {
        removals.add(new Removal(playerId, cause, detail));
    }

    @Override
    public void roomClosed() {
        roomClosed = true;
    }

    @Override
    public void tickLate(long nanos) {
        ticksLate.add(nanos);
    }

    /** How late each tick started (nanoseconds after it was due), oldest first. */
    public List<Long> ticksLate() {
        return ticksLate;
    }

    public List<RoomFrame> roomFrames() {
        return roomFrames;
    }

    public List<PlayerFrame> playerFrames() {
        return playerFrames;
    }

    public List<Removal> removals() {
        return removals;
    }

    public boolean isRoomClosed() {
        return roomClosed;
    }

    /** The states sent to the room, oldest first. */
    public List<State> roomStates() {
        return roomFrames.stream().filter(f -> f.frame().hasState()).map(f -> f.frame().getState()).toList();
    }

    /** The events sent to the room, oldest first. */
    public List<Event> roomEvents() {
        return roomFrames.stream().filter(f -> f.frame().hasEvent()).map(f -> f.frame().getEvent()).toList();
    }

    /** The frames sent to this one player (not those sent to the whole room), oldest first. */
    public List<ServerFrame> framesTo(String playerId) {
        return playerFrames.stream().filter(f -> f.playerId().equals(playerId)).map(PlayerFrame::frame).toList();
    }

    /** Forgets everything recorded so far. */
    public void clear() {
        roomFrames.clear();
        playerFrames.clear();
        removals.clear();
        roomClosed = false;
    }
}
