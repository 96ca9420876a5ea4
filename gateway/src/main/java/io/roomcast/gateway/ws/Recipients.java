package io.roomcast.gateway.ws;

import io.roomcast.gateway.session.FrameSink;
import io.roomcast.gateway.ws.wire.WireFrame;

import java.util.ArrayList;
import java.util.List;

/**
 * The sockets one room's frames go to on this node, grouped by the I/O thread that owns each,
 * with what decides per frame which of them get it: the player it skips (its sender) and the
 * room log position each joined at (an event reaches only those who joined before it).
 *
 * <p>A send hands each I/O thread its group once, and that thread walks its own sockets as it
 * queues the frame on them: the sending thread (a room's, or the bus's) touches no member's
 * state, however many members the room has, and each socket's state is used on the core where
 * it lives ("The socket layer" in docs/architecture.md). Sinks that are no socket of this package
 * (a test's) are sent to on the sending thread.
 *
 * <p>Immutable: it holds the sinks the members had when it was built. Whoever keeps one builds it
 * again when a member comes or goes; a session changes its socket only while it is no member
 * (the session registry takes it offline first), so that covers a new socket too.
 */
public final class Recipients {

    private final Group[] groups;

    private Recipients(Group[] groups) {
        this.groups = groups;
    }

    /**
     * Sends {@code frame} to every recipient except the player {@code except} (null: none) and
     * those who joined at or after {@code joinedBefore} (Long.MAX_VALUE: none excluded). Inside
     * a {@link SendBurst}, the hand-offs are part of it.
     */
    public void send(WireFrame frame, String except, long joinedBefore) {
        SendBurst burst = SendBurst.active();
        for (Group group : groups) {
            if (group.loop == null) {
                group.sendHere(frame, except, joinedBefore);
                continue;
            }
            GroupSend send = new GroupSend(group, except, joinedBefore);
            if (burst != null) {
                burst.add(group.loop, send, frame);
            } else {
                group.loop.offer(send, frame);
            }
        }
    }

    /** How many recipients it holds (detached sessions are not counted). */
    public int size() {
        int size = 0;
        for (Group group : groups) {
            size += group.count;
        }
        return size;
    }

    /** The recipients of one I/O thread (or, for {@code loop} null, the sinks sent to on the sending thread). */
    private static final class Group {
        final IoLoop loop;
        final FrameSink[] sinks;
        final String[] playerIds;
        final int[] playerIdHashes; // compared before the ids: the check for the sender reads no id's bytes
        final long[] joinedAt;
        final int count;

        Group(IoLoop loop, List<Builder.Entry> entries) {
            this.loop = loop;
            this.count = entries.size();
            this.sinks = new FrameSink[count];
            this.playerIds = new String[count];
            this.playerIdHashes = new int[count];
            this.joinedAt = new long[count];
            for (int i = 0; i < count; i++) {
                Builder.Entry entry = entries.get(i);
                sinks[i] = entry.sink();
                playerIds[i] = entry.playerId();
                playerIdHashes[i] = entry.playerId().hashCode();
                joinedAt[i] = entry.joinedAt();
            }
        }

        /** On this group's I/O thread (while its loop drains), or on the sender's for sinks of no loop. */
        void sendHere(WireFrame frame, String except, long joinedBefore) {
            int exceptHash = except == null ? 0 : except.hashCode();
            int queued = 0;
            for (int i = 0; i < count; i++) {
                if (joinedAt[i] >= joinedBefore
                        || (except != null && playerIdHashes[i] == exceptHash && except.equals(playerIds[i]))) {
                    continue;
                }
                if (loop == null) {
                    sinks[i].send(frame);
                } else if (((Connection) sinks[i]).queueHere(frame)) {
                    queued++;
                }
            }
            if (queued > 0) {
                ((Connection) sinks[0]).countOut(frame, queued); // one add to the shared counter, not one per member
            }
        }
    }

    /** One frame for one group, in an I/O thread's outbox: its drain walks the group. */
    record GroupSend(Group group, String except, long joinedBefore) implements IoLoop.Target {
        void sendHere(WireFrame frame) {
            group.sendHere(frame, except, joinedBefore);
        }
    }

    /** Groups sinks by I/O thread. Not thread-safe; build on one thread. */
    public static final class Builder {

        record Entry(FrameSink sink, String playerId, long joinedAt) {}

        private final List<IoLoop> loops = new ArrayList<>();
        private final List<List<Entry>> byLoop = new ArrayList<>(); // by the index of its loop in `loops`
        private final List<Entry> elsewhere = new ArrayList<>();

        /** Adds a recipient; a null sink (a session without a socket now) gets nothing and is left out. */
        public Builder add(FrameSink sink, String playerId, long joinedAt) {
            if (sink == null) {
                return this;
            }
            Entry entry = new Entry(sink, playerId, joinedAt);
            if (!(sink instanceof Connection connection)) {
                elsewhere.add(entry);
                return this;
            }
            IoLoop loop = connection.loop();
            int index = loops.indexOf(loop);
            if (index < 0) {
                loops.add(loop);
                byLoop.add(new ArrayList<>());
                index = loops.size() - 1;
            }
            byLoop.get(index).add(entry);
            return this;
        }

        public Recipients build() {
            List<Group> groups = new ArrayList<>();
            for (int i = 0; i < loops.size(); i++) {
                groups.add(new Group(loops.get(i), byLoop.get(i)));
            }
            if (!elsewhere.isEmpty()) {
                groups.add(new Group(null, elsewhere));
            }
            return new Recipients(groups.toArray(Group[]::new));
        }
    }
}
