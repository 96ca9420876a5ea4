package io.roomcast.gateway.cluster;

/**
 * Carries a room owner's output to the nodes that have members in the room. A node subscribes
 * to a room's channel while it has at least one local member there. Delivery is at most once
 * and in order per channel. Thread-safe; listeners must not block.
 */
public interface MessageBus {

    /**
     * What an owner sends on a room's channel: one encoded ServerFrame for every member but
     * {@code exceptPlayer} (nullable), stamped with the owner's lease epoch.
     */
    record RoomFrame(String roomId, long epoch, byte[] frame, String exceptPlayer) {}

    interface Subscription {
        void unsubscribe();
    }

    void publish(RoomFrame message);

    Subscription subscribe(String roomId, java.util.function.Consumer<RoomFrame> listener);
}
