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
 * holds each seated player's session. What the runtime produces goes to this node's members of
 * the room directly, while the lease is surely held, and to the other nodes through the
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
    private final LeaseWindow leaseWindow;
    private volatile boolean fenced;
    private RoomRuntime<?> runtime; // set once by RoomManager before the first task runs
    private long statesSent;

    RoomHost(String roomId, String gameType, int maxPlayers, SerialExecutor executor, RoomOwnership.Lease lease,
             LeaseWindow leaseWindow, MessageBus bus, OwnedRooms manager) {
        this.roomId = roomId;
        this.gameType = gameType;
        this.maxPlayers = maxPlayers;
        this.executor = executor;
        this.lease = lease;
        this.leaseWindow = leaseWindow;
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

    /** A claim or renewal of the lease sent at {@code requestedAtNanos} (System.nanoTime) succeeded. */
    void leaseConfirmed(long requestedAtNanos) {
        leaseWindow.confirmed(requestedAtNanos);
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
        MessageBus.RoomFrame frame = new MessageBus.RoomFrame(roomId, lease.ownerNode(), lease.epoch(), serverFrame, exceptPlayerId);
        if (leaseWindow.heldAt(System.nanoTime())) {
            manager.deliverLocally(frame); // a paused owner whose lease may have gone sends its members nothing
        }
        bus.publishRoom(frame);
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
