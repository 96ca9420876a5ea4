package io.roomcast.gateway.routing;

import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.proto.cluster.InputBatch;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.RoomInput;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Inputs for rooms owned by other nodes, gathered per owner node over a short window and sent as
 * one message: one PUBLISH per owner per window instead of one per input. Thread-safe: I/O
 * threads add, the timer flushes.
 */
final class InputBatcher {

    private final String nodeId;
    private final MessageBus bus;
    private final ScheduledExecutorService timer;
    private final long windowMicros;
    private final ConcurrentHashMap<String, List<RoomInput>> pending = new ConcurrentHashMap<>();

    InputBatcher(String nodeId, MessageBus bus, ScheduledExecutorService timer, long windowMicros) {
        this.nodeId = nodeId;
        this.bus = bus;
        this.timer = timer;
        this.windowMicros = windowMicros;
    }

    void add(String ownerNode, RoomInput input) {
        boolean[] opened = new boolean[1];
        pending.compute(ownerNode, (node, batch) -> {
            if (batch == null) {
                batch = new ArrayList<>();
                opened[0] = true;
            }
            batch.add(input);
            return batch;
        });
        if (opened[0]) {
            timer.schedule(() -> flush(ownerNode), windowMicros, TimeUnit.MICROSECONDS);
        }
    }

    private void flush(String ownerNode) {
        List<RoomInput> batch = pending.remove(ownerNode);
        if (batch != null && !batch.isEmpty()) {
            bus.publishNode(ownerNode, NodeMessage.newBuilder().setFromNode(nodeId)
                    .setInputs(InputBatch.newBuilder().addAllInputs(batch)).build());
        }
    }
}
