package io.roomcast.gateway.hosting;

import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.RoomOutput;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.gateway.cluster.EventStore;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.cluster.RoomOwnership;
import io.roomcast.gateway.members.RoomFanout;
import io.roomcast.gateway.metrics.TickSamples;
import io.roomcast.gateway.routing.MemberChannel;
import io.roomcast.gateway.session.ServerFrames;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A room this node owns: its runtime, the serial executor it runs on, its lease, its members on
 * this node (a {@link RoomFanout} kept while the room is hosted here), which node holds each
 * seated player's session, and the seats reserved for remote joins not yet claimed. What the
 * runtime produces goes to the members here directly, while the lease is surely held, and to the
 * other nodes through the {@link MessageBus}, stamped with the lease's epoch and the tick. Once
 * fenced (the lease was lost, or the room stalled and was given up) it sends nothing more.
 *
 * <p>Threading: {@link #runtime()}, the player-node table and the reservations are confined to
 * the room's thread (tasks on {@link #executor()}), except {@code offerInput}; the RoomOutput
 * methods are called by the runtime there. {@link #fence}, {@link #isFenced} and
 * {@link #emptySinceNanos} are safe from any thread.
 */
public final class RoomHost implements RoomOutput {

    /** What the host reports to the node's room lifecycle; called on the room's thread. */
    interface Events {
        /** A seat was freed by the runtime itself (kick, room closing) or by the host (reservation expired). */
        void seatsChanged(RoomHost host);

        void stateSent(RoomHost host, long statesSent);

        void roomClosed(RoomHost host);
    }

    private final String roomId;
    private final String gameType;
    private final String filterKey;
    private final int maxPlayers;
    private final SerialExecutor executor;
    private volatile RoomOwnership.Lease lease; // replaced when Redis forgot it and the owner claimed it again
    private final LeaseWindow leaseWindow;
    private final RoomFanout localMembers;
    private final MessageBus bus;
    private final MemberChannel members;
    private final EventStore eventStore;
    private final Events events;
    private final Map<String, String> playerNodes = new HashMap<>();
    private final Map<String, String> playerIncarnations = new HashMap<>(); // the process of the player's node
    private final Map<String, Long> goneSince = new HashMap<>(); // players whose node was last seen gone, since when
    private final Map<String, ScheduledFuture<?>> unclaimedSeats = new HashMap<>();
    private final TickSamples tickSamples = new TickSamples();
    private volatile boolean fenced;
    private CompletableFuture<Void> queuedSave; // room thread only: see queuedSave()
    private volatile long emptySinceNanos;
    private volatile int seatsTaken; // playerNodes' size, for readers on other threads (the admin report)
    private Set<String> otherMemberNodes = Set.of(); // room thread only: playerNodes' other nodes than this one
    private RoomRuntime<?> runtime; // set once before the first task runs
    private long statesSent;

    RoomHost(String roomId, String gameType, String filterKey, int maxPlayers, SerialExecutor executor,
             RoomOwnership.Lease lease, LeaseWindow leaseWindow, RoomFanout localMembers, MessageBus bus,
             MemberChannel members, EventStore eventStore, Events events) {
        this.eventStore = eventStore;
        this.roomId = roomId;
        this.gameType = gameType;
        this.filterKey = filterKey;
        this.maxPlayers = maxPlayers;
        this.executor = executor;
        this.lease = lease;
        this.leaseWindow = leaseWindow;
        this.localMembers = localMembers;
        this.bus = bus;
        this.members = members;
        this.events = events;
        this.emptySinceNanos = System.nanoTime();
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

    /** The directory's filter key of the room: its creation options its game filters by ("" for none). */
    public String filterKey() {
        return filterKey;
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

    RoomFanout localMembers() {
        return localMembers;
    }

    @Override
    public long epoch() {
        return lease.epoch();
    }

    /** The lease was gone from Redis and this node claimed the room again: frames carry the new epoch. */
    void leaseReclaimed(RoomOwnership.Lease newLease) {
        this.lease = newLease;
    }

    /** A claim or renewal of the lease sent at {@code requestedAtNanos} (System.nanoTime) succeeded. */
    void leaseConfirmed(long requestedAtNanos) {
        leaseWindow.confirmed(requestedAtNanos);
    }

    /** Room thread: the player was seated from a session on {@code nodeId}, in its process {@code incarnation}. */
    void seatedFrom(String playerId, String nodeId, String incarnation) {
        playerNodes.put(playerId, nodeId);
        playerIncarnations.put(playerId, incarnation);
        playerNodesChanged();
        emptySinceNanos = 0;
    }

    /** Room thread: the seats a restored snapshot brought back, with the node of each player's session. */
    void restoredSeats(Map<String, String> nodesByPlayer, Map<String, String> incarnationsByPlayer) {
        playerNodes.putAll(nodesByPlayer);
        playerIncarnations.putAll(incarnationsByPlayer);
        playerNodesChanged();
        if (!nodesByPlayer.isEmpty()) {
            emptySinceNanos = 0;
        }
    }

    /** Room thread: the player's seat waits for its gateway's claim; {@code expiry} frees it otherwise. */
    void reserve(String playerId, ScheduledFuture<?> expiry) {
        ScheduledFuture<?> previous = unclaimedSeats.put(playerId, expiry);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    /** Room thread: the gateway claimed the seat (or it went otherwise); true if it was still reserved. */
    boolean claimed(String playerId) {
        ScheduledFuture<?> expiry = unclaimedSeats.remove(playerId);
        if (expiry != null) {
            expiry.cancel(false);
            return true;
        }
        return false;
    }

    /** Room thread: whether the seat is still waiting for its claim. */
    boolean isReserved(String playerId) {
        return unclaimedSeats.containsKey(playerId);
    }

    /** Room thread: the player's seat is gone; returns the node that held its session. */
    String unseated(String playerId) {
        claimed(playerId);
        String node = playerNodes.remove(playerId);
        playerIncarnations.remove(playerId);
        playerNodesChanged();
        if (runtime.playerCount() == 0 && emptySinceNanos == 0) {
            emptySinceNanos = System.nanoTime();
        }
        return node;
    }

    /** Room thread: what the room's frames are sent to besides its members here (a set per change of seats, not per frame). */
    private void playerNodesChanged() {
        seatsTaken = playerNodes.size();
        Set<String> others = new HashSet<>(playerNodes.values());
        others.remove(null);
        others.remove(lease.ownerNode());
        otherMemberNodes = Set.copyOf(others);
    }

    /** Room thread: player id -> the node holding its session. */
    Map<String, String> playerNodes() {
        return playerNodes;
    }

    /** Room thread: players whose node is gone, and since when (System.nanoTime); see {@link OrphanedSeats}. */
    Map<String, Long> goneSince() {
        return goneSince;
    }

    /** Room thread: player id -> the process (incarnation) of that node; "" when unknown. */
    Map<String, String> playerIncarnations() {
        return playerIncarnations;
    }

    /** Seats taken (players seated, connected or keeping their seat for a resume). Any thread. */
    public int seatsTaken() {
        return seatsTaken;
    }

    /** The durations of the room's last ticks. Any thread. */
    public TickSamples tickSamples() {
        return tickSamples;
    }

    /** The epoch of the lease held now. Any thread. */
    public long leaseEpoch() {
        return lease.epoch();
    }

    /** When the room last became empty (System.nanoTime); 0 while a seat is taken. Any thread. */
    long emptySinceNanos() {
        return emptySinceNanos;
    }

    /** Room thread: the snapshot queued after a change of seats and not taken yet (done once saved); null if none. */
    CompletableFuture<Void> queuedSave() {
        return queuedSave;
    }

    /** Room thread: see {@link #queuedSave}; null once the queued snapshot is being taken. */
    void queuedSave(CompletableFuture<Void> save) {
        queuedSave = save;
    }

    /** From here on nothing this runtime produces goes out (another node holds the room, or it was given up). */
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
        if (ServerFrames.isState(serverFrame)) {
            events.stateSent(this, ++statesSent);
        }
        // Outside its lease window (a paused owner that woke up, or a Redis that has not confirmed
        // the lease for two thirds of it) an owner sends nothing, to its own members or the channel:
        // another node may own the room by now.
        if (!leaseWindow.heldAt(System.nanoTime())) {
            return;
        }
        RoomOwnership.Lease held = lease;
        MessageBus.RoomFrame frame = new MessageBus.RoomFrame(roomId, held.ownerNode(), held.epoch(), runtime.tick(),
                runtime.lastEventOffset(), serverFrame, exceptPlayerId, false, false);
        if (ServerFrames.isEvent(serverFrame)) {
            // For a taker: events after the last snapshot survive the owner. Before the publish, on the
            // same connection: an event another node has seen is always in the store.
            eventStore.append(roomId, serverFrame);
        }
        localMembers.deliver(frame);
        bus.publishToMembers(frame, otherMemberNodes);
    }

    @Override
    public void toPlayer(String playerId, byte[] serverFrame) {
        if (fenced) {
            return;
        }
        String node = playerNodes.get(playerId);
        // A paused owner whose lease may have gone sends its own players nothing (as in toRoom);
        // other nodes drop it by epoch once they heard the new owner.
        if ((node != null && !node.equals(lease.ownerNode())) || leaseWindow.heldAt(System.nanoTime())) {
            members.playerFrame(node, roomId, lease.epoch(), playerId, serverFrame);
        }
    }

    @Override
    public void playerRemoved(String playerId, LeaveCause cause, String detail) {
        String node = unseated(playerId);
        if (!fenced) {
            members.seatRemoved(node, roomId, playerId, cause, detail);
            events.seatsChanged(this);
        }
    }

    @Override
    public void roomClosed() {
        events.roomClosed(this);
    }

    @Override
    public void tickTook(long nanos) {
        tickSamples.record(nanos);
    }
}
