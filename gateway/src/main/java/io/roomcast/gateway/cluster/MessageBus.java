package io.roomcast.gateway.cluster;

import io.roomcast.proto.cluster.NodeMessage;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Node-to-node messaging. A room's channel carries its owner's output to the nodes that have
 * members in the room (a node subscribes while it has at least one); a node's inbox carries
 * requests and replies for that node. Delivery is at most once and in order per channel.
 * Thread-safe; listeners run on the bus's thread and must not block.
 */
public interface MessageBus {

    /**
     * What an owner sends on a room's channel: one encoded ServerFrame for every member but
     * {@code exceptPlayer} (nullable), stamped with the owner's lease epoch, the room's tick and its
     * event log position when it was sent. {@code lost}: the last frame of a room that could not be taken over; its
     * {@code frame} is the {@code Left} every member gets. {@code released}: the owner is draining,
     * saved a last snapshot and released the lease: a node with members claims the room now
     * ({@code frame} is empty).
     */
    record RoomFrame(String roomId, String ownerNode, long epoch, long tick, long lastEventOffset, byte[] frame,
                     String exceptPlayer, boolean lost, boolean released) {

        public RoomFrame(String roomId, String ownerNode, long epoch, long tick, byte[] frame, String exceptPlayer) {
            this(roomId, ownerNode, epoch, tick, 0, frame, exceptPlayer, false, false);
        }
    }

    interface Subscription {
        /** Completes once messages published from now on are sure to reach the listener. */
        default CompletionStage<Void> ready() {
            return CompletableFuture.completedFuture(null);
        }

        void unsubscribe();
    }

    /** Sends the frame on the room's channel: to every node listening to the room. */
    void publishRoom(RoomFrame message);

    /**
     * Sends one of the owner's frames to the nodes that have members in the room
     * ({@code memberNodes}, never this node; empty: none, nothing is sent). The bus may gather the
     * frames bound for one node over a short window (rooms tick together: a tick's frames of every
     * room come in one burst) and send them as one message; they reach the room's listener there
     * as if they came on the room's channel, and anything this node sends afterwards, on any
     * channel, is sent after them. The default sends the frame on the room's channel.
     */
    default void publishToMembers(RoomFrame message, Set<String> memberNodes) {
        if (!memberNodes.isEmpty()) {
            publishRoom(message);
        }
    }

    /**
     * When (System.nanoTime) this node's subscriptions last came back after a break in its
     * connection (0: never broken): a room's silence before then says nothing about its owner.
     */
    default long resubscribedAtNanos() {
        return 0;
    }

    Subscription subscribeRoom(String roomId, Consumer<RoomFrame> listener);

    void publishNode(String nodeId, NodeMessage message);

    /** This node's inbox; called once at start. */
    Subscription subscribeNode(String nodeId, Consumer<NodeMessage> listener);
}
