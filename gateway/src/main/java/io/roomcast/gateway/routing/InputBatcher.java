package io.roomcast.gateway.routing;

import io.roomcast.core.loop.Clock;
import io.roomcast.core.loop.TickLoop;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.proto.cluster.InputBatch;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.RoomInput;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Inputs for rooms owned by other nodes, sent to each owner node as one message per tick of its
 * rooms. Rooms tick on the wall clock's grid ({@link TickLoop#nextGridPoint}), so an input can
 * only be applied at the next grid point of its room's rate: the inputs for one owner and one
 * tick period are gathered until {@code lead} before that point and leave together — one
 * PUBLISH per owner per tick instead of one per input or per short window. An input that comes
 * within the lead of a grid point goes with the next one, as it would if it reached the owner
 * after the tick began. The lead covers the way to the owner (the timer, Redis, the owner's
 * inbox) and the clock skew between the nodes.
 *
 * <p>Until a room's tick period is known here (a Joined sets it), its inputs leave after a short
 * window instead.
 *
 * <p>Thread-safe: I/O threads add, the timer publishes.
 */
final class InputBatcher {

    /** The inputs bound for one owner, sent at one instant. */
    private record Key(String ownerNode, long tickPeriodNanos) {}

    private final String nodeId;
    private final MessageBus bus;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final ToLongFunction<String> tickPeriodOfRoom;
    private final long leadNanos;
    private final long windowNanos;
    private final ConcurrentHashMap<Key, List<RoomInput>> pending = new ConcurrentHashMap<>();

    /**
     * @param tickPeriodOfRoom a room's tick period in nanoseconds, 0 while unknown
     * @param leadMicros       how long before a tick of the owner's room its inputs are sent
     * @param windowMicros     how long inputs of a room whose period is unknown are gathered
     */
    InputBatcher(String nodeId, MessageBus bus, ScheduledExecutorService timer, Clock clock,
                 ToLongFunction<String> tickPeriodOfRoom, long leadMicros, long windowMicros) {
        this.nodeId = nodeId;
        this.bus = bus;
        this.timer = timer;
        this.clock = clock;
        this.tickPeriodOfRoom = tickPeriodOfRoom;
        this.leadNanos = TimeUnit.MICROSECONDS.toNanos(leadMicros);
        this.windowNanos = TimeUnit.MICROSECONDS.toNanos(windowMicros);
    }

    void add(String ownerNode, RoomInput input) {
        Key key = new Key(ownerNode, tickPeriodOfRoom.applyAsLong(input.getRoomId()));
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
            timer.schedule(() -> flush(key), sendDelayNanos(clock, key.tickPeriodNanos(), leadNanos, windowNanos),
                    TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Until {@code lead} before the next grid point of the period, or of the one after when that
     * is closer than the lead; {@code window} when the period is unknown.
     */
    static long sendDelayNanos(Clock clock, long tickPeriodNanos, long leadNanos, long windowNanos) {
        if (tickPeriodNanos <= leadNanos) {
            return windowNanos; // unknown, or too short a period to wait for
        }
        long delay = TickLoop.nextGridPoint(clock, tickPeriodNanos) - leadNanos - clock.nanoTime();
        return delay >= 0 ? delay : delay + tickPeriodNanos;
    }

    private void flush(Key key) {
        List<RoomInput> batch = pending.remove(key);
        if (batch != null && !batch.isEmpty()) {
            bus.publishNode(key.ownerNode(), NodeMessage.newBuilder().setFromNode(nodeId)
                    .setInputs(InputBatch.newBuilder().addAllInputs(batch)).build());
        }
    }
}
