package io.roomcast.gateway.ws;

import io.roomcast.core.loop.Clock;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.routing.RoomRouter;
import io.roomcast.gateway.session.SessionRegistry;
import io.roomcast.proto.v1.Limits;

import java.util.concurrent.atomic.AtomicBoolean;

/** What a connection needs from its node. Immutable; the services themselves are thread-safe. */
public record WsServices(String nodeId, NodeConfig config, Limits limits, SessionRegistry sessions,
                         RoomRouter rooms, NodeMetrics metrics, Clock clock, AtomicBoolean draining) {

    public static final int PROTOCOL_VERSION = 1;

    /** The limits a Welcome announces, taken from the node's config. */
    public static Limits limitsOf(NodeConfig config) {
        return Limits.newBuilder()
                .setMaxFrameBytes(config.maxFrameBytes)
                .setMaxInputsPerSecond(config.maxInputsPerSecond)
                .setMaxEmitsPerSecond(config.maxEmitsPerSecond)
                .setMaxPlayersPerRoom(config.maxPlayersPerRoom)
                .setMaxRoomsPerSession(config.maxRoomsPerSession)
                .setHandshakeTimeoutMs(config.handshakeTimeoutMs)
                .setSeatGraceMs(config.seatGraceMs)
                .setSendQueueBytes(config.sendQueueBytes)
                .build();
    }
}
