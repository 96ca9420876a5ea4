package io.roomcast.core.room;

/**
 * The limits and rates of a room type. Defaults are safe, never unlimited.
 *
 * @param maxPlayers          seats per room
 * @param tickRateHz          simulation and state rate
 * @param keyframeEveryTicks  a full state every N ticks (deltas in between)
 * @param maxQueuedInputs     inputs waiting for the next tick; more are dropped
 * @param eventLogCapacity    room events kept for replay to resuming players
 * @param maxCatchUpTicks     ticks run back to back after a stall before ticks are skipped
 */
public record RoomSettings(int maxPlayers, int tickRateHz, int keyframeEveryTicks,
                           int maxQueuedInputs, int eventLogCapacity, int maxCatchUpTicks) {

    public static final RoomSettings DEFAULTS = new RoomSettings(16, 20, 100, 1024, 256, 5);

    public RoomSettings {
        requirePositive("maxPlayers", maxPlayers);
        requirePositive("tickRateHz", tickRateHz);
        requirePositive("keyframeEveryTicks", keyframeEveryTicks);
        requirePositive("maxQueuedInputs", maxQueuedInputs);
        requirePositive("eventLogCapacity", eventLogCapacity);
        requirePositive("maxCatchUpTicks", maxCatchUpTicks);
        if (tickRateHz > 1000) {
            throw new IllegalArgumentException("tickRateHz must be <= 1000, was " + tickRateHz);
        }
    }

    public RoomSettings withMaxPlayers(int n) {
        return new RoomSettings(n, tickRateHz, keyframeEveryTicks, maxQueuedInputs, eventLogCapacity, maxCatchUpTicks);
    }

    public RoomSettings withKeyframeEveryTicks(int n) {
        return new RoomSettings(maxPlayers, tickRateHz, n, maxQueuedInputs, eventLogCapacity, maxCatchUpTicks);
    }

    public RoomSettings withTickRateHz(int hz) {
        return new RoomSettings(maxPlayers, hz, keyframeEveryTicks, maxQueuedInputs, eventLogCapacity, maxCatchUpTicks);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }
}
