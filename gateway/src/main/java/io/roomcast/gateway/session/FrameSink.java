package io.roomcast.gateway.session;

/** Where a session's outgoing frames go: its current socket. Thread-safe. */
public interface FrameSink {

    /** Queues one encoded ServerFrame for the socket (never blocks). */
    void send(byte[] serverFrame);

    /** Closes the socket with a WebSocket close code and reason. */
    void close(int code, String reason);
}
