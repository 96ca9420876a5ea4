package io.roomcast.gateway.room;

import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.RoomOutput;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.cluster.RoomOwnership;

import java.util.HashMap;
import java.util.Map;

/**
 * A room this node owns: its runtime, the serial executor it runs on, its lease, and which node
 * holds each seated player's session. What the runtime produces goes out through the
 * {@link MessageBus}, stamped with the lease's epoch. Once fenced (the lease was lost to another
 * node) it sends nothing more.
 *
 * <p>Threading: {@link #runtime()} and the player-node table may only be touched from tasks on
 * {@link #executor()}, except {@code offerInput}; the RoomOutput methods are called by the
 * runtime on that executor.
 */
public final class RoomHost implements RoomOutput {

    private final String roomId;
    private final String gameType;
    private final int maxPlayers;
    private final SerialExecutor executor;
    private final RoomOwnership.Lease lease;
    private final MessageBus bus;
    private final OwnedRooms manager;
    private final Map<String, String> playerNodes = new HashMap<>();
    private volatile boolean fenced;
    private RoomRuntime<?> runtime; // set once by RoomManager before the first task runs
    private long statesSent;

    RoomHost(String roomId, String gameType, int maxPlayers, SerialExecutor executor, RoomOwnership.Lease lease,
             MessageBus bus, OwnedRooms manager) {
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

    /** Room thread: the node holding this player's session. */
    void seatedFrom(String playerId, String nodeId) {
        playerNodes.put(playerId, nodeId);
    }

    /** Room thread: the node that held the player's session, now forgotten. */
    String unseated(String playerId) {
        return playerNodes.remove(playerId);
    }

    /** Room thread. */
    Map<String, String> playerNodes() {
        return playerNodes;
    }

    /** Another node holds the room now: from here on, nothing this runtime produces goes out. */
    void fence() {
        fenced = true;
    }

    boolean isFenced() {
        return fenced;
    }

    @Override
    public void toRoom(byte[] serverFrame, String exceptPlayerId) {
        if (fenced) {
            return;
        }
        bus.publishRoom(new MessageBus.RoomFrame(roomId, lease.ownerNode(), lease.epoch(), serverFrame, exceptPlayerId));
        if (ServerFrames.isState(serverFrame)) {
            manager.stateSent(this, ++statesSent);
        }
    }

    @Override
    public void toPlayer(String playerId, byte[] serverFrame) {
        if (!fenced) {
            manager.sendToPlayer(playerNodes.get(playerId), playerId, serverFrame);
        }
    }

    @Override
    public void playerRemoved(String playerId, LeaveCause cause, String detail) {
        if (!fenced) {
            manager.seatFreed(this, playerId, cause, detail);
        }
    }

    @Override
    public void roomClosed() {
        manager.roomClosed(this);
    }
}
