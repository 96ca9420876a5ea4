package io.roomcast.gateway.members;

import io.roomcast.core.loop.TickGrid;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.session.Session;
import io.roomcast.proto.cluster.MemberRoom;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Which of this node's sessions are in which room, whoever owns it: one {@link RoomFanout} per
 * room while it has a member, a join on the way, or is hosted here; subscribed to the room's
 * channel exactly when another node owns the room. Also what this node knows of each room's
 * owner, and which rooms went silent. Thread-safe.
 */
public final class Members {

    /**
     * A room whose owner has been silent: {@code silenceNanos} since its last frame heard here (a
     * takeover numbers its ticks past that), {@code lastTick} the last tick heard of it,
     * {@code lastEventOffset} its highest event log position heard.
     */
    public record SilentRoom(String roomId, String formerOwner, long lastTick, long lastEventOffset, long silenceNanos) {}

    private final String nodeId;
    private final MessageBus bus;
    private final NodeMetrics metrics;
    private final ConcurrentHashMap<String, RoomFanout> fanouts = new ConcurrentHashMap<>();
    private volatile Consumer<String> ownerReleased = roomId -> {};
    private volatile MissedEvents missedEvents = MissedEvents.NONE;

    public Members(String nodeId, MessageBus bus, NodeMetrics metrics) {
        this.nodeId = nodeId;
        this.bus = bus;
        this.metrics = metrics;
    }

    /**
     * The session's join (or resume) of the room is on its way: frames are kept for it from now
     * on. Completes once this node surely hears the room (its channel subscribed, when remote).
     */
    public CompletionStage<Void> expect(String roomId, Session session, String owner) {
        RoomFanout fanout = fanouts.compute(roomId, (id, existing) -> {
            RoomFanout f = existing != null ? existing : newFanout(id, owner);
            f.expect(session);
            return f;
        });
        return fanout.isHostedHere() ? CompletableFuture.completedFuture(null) : fanout.listening();
    }

    /** The join came back: Joined, replayed events, kept frames, then membership (see {@link RoomFanout#admit}). */
    public boolean admit(String roomId, Session session, byte[] joined, List<byte[]> replayed) {
        RoomFanout fanout = fanouts.get(roomId);
        return fanout != null && fanout.admit(session, joined, replayed);
    }

    /** The join failed: stop keeping frames for the session. */
    public void forget(String roomId, Session session) {
        RoomFanout fanout = fanouts.get(roomId);
        if (fanout != null) {
            fanout.forget(session);
            dropIfUnused(roomId);
        }
    }

    /** The session leaves the room here: no more frames, and the channel is dropped with its last member. */
    public void remove(Session session, String roomId) {
        session.leftRoom(roomId);
        RoomFanout fanout = fanouts.get(roomId);
        if (fanout != null) {
            fanout.remove(session);
            dropIfUnused(roomId);
        }
    }

    /**
     * The session's socket is gone (or being replaced): it stops receiving the rooms' frames but
     * keeps its seats; a resume makes it a member again through {@link #expect} / {@link #admit}.
     */
    public void detach(Session session) {
        for (String roomId : session.rooms()) {
            RoomFanout fanout = fanouts.get(roomId);
            if (fanout != null) {
                fanout.remove(session);
                dropIfUnused(roomId);
            }
        }
    }

    /** Whether a frame of the room stamped {@code epoch} comes from an owner older than one heard here. */
    public boolean isStale(String roomId, long epoch) {
        RoomFanout fanout = fanouts.get(roomId);
        return fanout != null && epoch < fanout.highestEpoch();
    }

    /** Where the room's ticks fall, from its Joined; null while unknown here. Any thread. */
    public TickGrid tickGridOf(String roomId) {
        RoomFanout fanout = fanouts.get(roomId);
        return fanout == null ? null : fanout.tickGrid();
    }

    /** The room's owner as far as this node knows (from the join, then from its frames); null if none. */
    public String ownerOf(String roomId) {
        RoomFanout fanout = fanouts.get(roomId);
        return fanout == null ? null : fanout.owner();
    }

    /**
     * This node runs the room now (created it, or took it over at {@code epoch}): its fan-out stays
     * while the room is hosted here and hears the room's own thread, not the channel.
     */
    public RoomFanout hostHere(String roomId, long epoch) {
        RoomFanout fanout = fanouts.computeIfAbsent(roomId, id -> newFanout(id, nodeId));
        fanout.hostedHere(true);
        fanout.owner(nodeId, epoch);
        fanout.unsubscribe();
        return fanout;
    }

    /**
     * The room is not hosted here any more. If it was lost to another node, the members here hear
     * the new owner from the channel from now on; if it closed, they had their Left already.
     */
    public void unhost(RoomFanout fanout) {
        unhost(fanout, false);
    }

    /**
     * As {@link #unhost(RoomFanout)}; with {@code yieldTakeover} (this node gave the room up because
     * it stalled here) the room's silence is counted from now, so a node that heard nothing since
     * the stall began claims it first and this node only after another whole lease.
     */
    public void unhost(RoomFanout fanout, boolean yieldTakeover) {
        if (yieldTakeover) {
            fanout.heardNow();
        }
        fanout.hostedHere(false);
        if (!fanout.isUnused()) {
            fanout.subscribe();
        }
        dropIfUnused(fanout.roomId());
    }

    /** The room ended without a word from an owner (it stalled alone): every member here gets {@code leftFrame}. */
    public void endLocally(String roomId, byte[] leftFrame) {
        RoomFanout fanout = fanouts.get(roomId);
        if (fanout != null) {
            fanout.endLocally(leftFrame);
            dropIfUnused(roomId);
        }
    }

    /**
     * Rooms another node owns, with members here, whose owner sent nothing for {@code silenceNanos}
     * — counted from when this node's subscriptions last came back, if that is later: what was
     * published while this node could not hear says nothing about the owner.
     */
    public List<SilentRoom> silentRooms(long silenceNanos) {
        long now = System.nanoTime();
        long resubscribed = bus.resubscribedAtNanos();
        List<SilentRoom> silent = new ArrayList<>();
        fanouts.forEach((roomId, fanout) -> {
            long silence = now - fanout.lastFrameNanos();
            long countedFrom = fanout.lastFrameNanos();
            if (resubscribed != 0 && resubscribed - countedFrom > 0) {
                countedFrom = resubscribed;
            }
            if (now - countedFrom > silenceNanos && !fanout.isHostedHere() && !fanout.isUnused()) {
                silent.add(new SilentRoom(roomId, fanout.owner(), fanout.lastTick(), fanout.lastEventOffset(), silence));
            }
        });
        return silent;
    }

    /** Where fan-outs ask for the room events they missed (the owner channels). */
    public void onMissedEvents(MissedEvents source) {
        this.missedEvents = source;
    }

    /**
     * The rooms with a member connected here, as the admin report shows them: members here, and
     * the owner and epoch as heard here. Any thread.
     */
    public List<MemberRoom> memberRoomsReport() {
        List<MemberRoom> rooms = new ArrayList<>();
        fanouts.forEach((roomId, fanout) -> {
            int players = fanout.memberCount();
            if (players > 0) {
                String owner = fanout.owner();
                rooms.add(MemberRoom.newBuilder()
                        .setRoomId(roomId)
                        .setPlayers(players)
                        .setOwner(owner == null ? "" : owner)
                        .setEpoch(fanout.highestEpoch())
                        .build());
            }
        });
        return rooms;
    }

    /** Who claims a room whose owner released it on drain (the owner side's takeover). */
    public void onOwnerReleased(Consumer<String> claim) {
        this.ownerReleased = claim;
    }

    /** The room as a takeover sees it now, silent or not; empty if no fan-out here has members in it. */
    public Optional<SilentRoom> silentRoom(String roomId) {
        RoomFanout fanout = fanouts.get(roomId);
        if (fanout == null || fanout.isHostedHere() || fanout.isUnused()) {
            return Optional.empty();
        }
        return Optional.of(new SilentRoom(roomId, fanout.owner(), fanout.lastTick(), fanout.lastEventOffset(),
                System.nanoTime() - fanout.lastFrameNanos()));
    }

    private RoomFanout newFanout(String roomId, String owner) {
        RoomFanout fanout = new RoomFanout(metrics, roomId, nodeId, bus, owner,
                (ownerNode, room, after) -> missedEvents.after(ownerNode, room, after), lost -> {
            lost.unsubscribe();
            fanouts.remove(lost.roomId(), lost);
        }, released -> ownerReleased.accept(released.roomId()));
        if (!nodeId.equals(owner)) {
            fanout.subscribe();
        }
        return fanout;
    }

    private void dropIfUnused(String roomId) {
        fanouts.computeIfPresent(roomId, (id, fanout) -> {
            if (fanout.isUnused()) {
                fanout.unsubscribe();
                return null;
            }
            return fanout;
        });
    }
}
