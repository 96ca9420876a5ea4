package io.roomcast.gateway.session;

import io.roomcast.gateway.ws.wire.WireFrame;

/** Where a session's outgoing frames go: its current socket. Thread-safe. */
public interface FrameSink {

    /** Queues one encoded ServerFrame for the socket (never blocks). */
    void send(byte[] serverFrame);

    /** Queues a frame already prepared for the wire, e.g. one shared by every member of a room. */
    void send(WireFrame frame);

    /** Closes the socket with a WebSocket close code and reason. */
    void close(int code, String reason);
}
