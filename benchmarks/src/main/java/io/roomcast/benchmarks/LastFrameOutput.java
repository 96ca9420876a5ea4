package io.roomcast.benchmarks;

import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.RoomOutput;

/**
 * A {@link RoomOutput} that keeps only the last frame and the exclusion it came with: no copy,
 * no decode, no list that grows over millions of ticks (the test fixtures' recording output
 * decodes and keeps every frame, which would be measured too).
 *
 * <p>Threading: the room's (the benchmark's) thread only.
 */
final class LastFrameOutput implements RoomOutput {

    byte[] lastRoomFrame;
    String lastExcept;
    byte[] lastPlayerFrame;
    long roomFrames;

    @Override
    public void toRoom(byte[] serverFrame, String exceptPlayerId) {
        lastRoomFrame = serverFrame;
        lastExcept = exceptPlayerId;
        roomFrames++;
    }

    @Override
    public void toPlayer(String playerId, byte[] serverFrame) {
        lastPlayerFrame = serverFrame;
    }

    @Override
    public void playerRemoved(String playerId, LeaveCause cause, String detail) {
        throw new IllegalStateException("no player is removed in a benchmark: " + playerId + " " + cause);
    }

    @Override
    public void roomClosed() {
        throw new IllegalStateException("no room closes in a benchmark");
    }
}
