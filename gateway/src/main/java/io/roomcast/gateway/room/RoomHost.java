package io.roomcast.gateway.room;

import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.RoomOutput;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.cluster.RoomOwnership;

/**
 * A room this node owns: its runtime, the serial executor it runs on, and its lease. What the
 * runtime produces goes out through the {@link MessageBus}, stamped with the lease's epoch.
 *
 * <p>Threading: {@link #runtime()} may only be touched from tasks on {@link #executor()}, except
 * {@code offerInput}; the RoomOutput methods are called by the runtime on that executor.
 */
public final class RoomHost implements RoomOutput {

    private final String roomId;
    private final String gameType;
    private final int maxPlayers;
    private final SerialExecutor executor;
    private final RoomOwnership.Lease lease;
    private final MessageBus bus;
    private final RoomManager manager;
    private RoomRuntime<?> runtime; // set once by RoomManager before the first task runs

    RoomHost(String roomId, String gameType, int maxPlayers, SerialExecutor executor, RoomOwnership.Lease lease,
             MessageBus bus, RoomManager manager) {
        this.roomId = roomId;
        this.gameType = gameType;
        this.maxPlayers = maxPlayers;
        this.executor = executor;
        this.lease = lease;
        this.bus = bus;
        this.manager = manager;
    }

    void attach(RoomRuntime<?> runtime) {
        this.runtime = runtime;
    }

    public String roomId() {
        return roomId;
    }

    public String gameType() {
        return gameType;
    }

    /** Seats in this room (the game's limit capped by the node's). */
    public int maxPlayers() {
        return maxPlayers;
    }

    public SerialExecutor executor() {
        return executor;
    }

    public RoomRuntime<?> runtime() {
        return runtime;
    }

    RoomOwnership.Lease lease() {
        return lease;
    }

    @Override
    public void toRoom(byte[] serverFrame, String exceptPlayerId) {
        bus.publish(new MessageBus.RoomFrame(roomId, lease.epoch(), serverFrame, exceptPlayerId));
    }

    @Override
    public void toPlayer(String playerId, byte[] serverFrame) {
        manager.sendToPlayer(playerId, serverFrame);
    }

    @Override
    public void playerRemoved(String playerId, LeaveCause cause, String detail) {
        manager.seatFreed(this, playerId, cause, detail);
    }

    @Override
    public void roomClosed() {
        manager.roomClosed(this);
    }
}
