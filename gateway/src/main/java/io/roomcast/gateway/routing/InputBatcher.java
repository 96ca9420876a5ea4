package io.roomcast.gateway.routing;

import io.roomcast.core.loop.Clock;
import io.roomcast.core.loop.TickGrid;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.proto.cluster.InputBatch;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.RoomInput;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Inputs for rooms owned by other nodes, sent to each owner node as one message per tick of its
 * rooms. Rooms tick on grids laid on the wall clock ({@link TickGrid}), so an input can only be
 * applied at the next point of its room's grid: the inputs for one owner and one grid (a tick
 * rate and a phase of it) are gathered until {@code lead} before that point and leave together —
 * one PUBLISH per owner per phase per tick instead of one per input or per short window. An input
 * that comes within the lead of a grid point goes with the next one, as it would if it reached
 * the owner after the tick began. The lead covers the way to the owner (the timer, Redis, the
 * owner's inbox) and the clock skew between the nodes.
 *
 * <p>Until a room's grid is known here (a Joined tells it), its inputs leave after a short window
 * instead.
 *
 * <p>Thread-safe: I/O threads add, the timer publishes.
 */
final class InputBatcher {

    /** The inputs bound for one owner, sent at one instant; a null grid: not known yet. */
    private record Key(String ownerNode, TickGrid grid) {}

    private final String nodeId;
    private final MessageBus bus;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Function<String, TickGrid> tickGridOfRoom;
    private final long leadNanos;
    private final long windowNanos;
    private final ConcurrentHashMap<Key, List<RoomInput>> pending = new ConcurrentHashMap<>();

    /**
     * @param tickGridOfRoom where a room's ticks fall, null while unknown
     * @param leadMicros     how long before a tick of the owner's room its inputs are sent
     * @param windowMicros   how long inputs of a room whose grid is unknown are gathered
     */
    InputBatcher(String nodeId, MessageBus bus, ScheduledExecutorService timer, Clock clock,
                 Function<String, TickGrid> tickGridOfRoom, long leadMicros, long windowMicros) {
        this.nodeId = nodeId;
        this.bus = bus;
        this.timer = timer;
        this.clock = clock;
        this.tickGridOfRoom = tickGridOfRoom;
        this.leadNanos = TimeUnit.MICROSECONDS.toNanos(leadMicros);
        this.windowNanos = TimeUnit.MICROSECONDS.toNanos(windowMicros);
    }

    void add(String ownerNode, RoomInput input) {
        Key key = new Key(ownerNode, tickGridOfRoom.apply(input.getRoomId()));
        boolean[] opened = new boolean[1];
        pending.compute(key, (k, batch) -> {
            if (batch == null) {
                batch = new ArrayList<>();
                opened[0] = true;
            }
            batch.add(input);
            return batch;
        });
        if (opened[0]) {
            timer.schedule(() -> flush(key), sendDelayNanos(clock, key.grid(), leadNanos, windowNanos),
                    TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Until {@code lead} before the grid's next point, or the one after when that is closer than
     * the lead; {@code window} when the grid is unknown.
     */
    static long sendDelayNanos(Clock clock, TickGrid grid, long leadNanos, long windowNanos) {
        if (grid == null || grid.periodNanos() <= leadNanos) {
            return windowNanos; // unknown, or too short a period to wait for
        }
        long delay = grid.nextPoint(clock) - leadNanos - clock.nanoTime();
        return delay >= 0 ? delay : delay + grid.periodNanos();
    }

    private void flush(Key key) {
        List<RoomInput> batch = pending.remove(key);
        if (batch != null && !batch.isEmpty()) {
            bus.publishNode(key.ownerNode(), NodeMessage.newBuilder().setFromNode(nodeId)
                    .setInputs(InputBatch.newBuilder().addAllInputs(batch)).build());
        }
    }
}
