package io.roomcast.gateway.ws;

/** The WebSocket close codes a node sends; docs/protocol.md explains each. */
public final class CloseCodes {

    private CloseCodes() {}

    /** A text frame: the protocol is binary protobuf only. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** A message over --max-frame-bytes (sent by Undertow's reader). */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** The node is shutting down or restarting: reconnect (a new session: a resume works on the same node only). */
    public static final int SERVICE_RESTART = 1012;
    /** The node holds its maximum number of sessions: try again later, or another node. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** Too many frames that are not valid ClientFrames. */
    public static final int BAD_FRAMES = 4000;
    /** The first frame was not a valid Hello. */
    public static final int HELLO_REQUIRED = 4001;
    /** No Hello within --handshake-timeout-ms. */
    public static final int HANDSHAKE_TIMEOUT = 4002;
    /** The Hello asked for a protocol version this node does not speak. */
    public static final int UNSUPPORTED_VERSION = 4003;
    /** The authenticator refused the Hello (a missing, invalid or expired token). */
    public static final int UNAUTHORIZED = 4004;
    /** The client did not read fast enough: more than --send-queue-bytes of reliable frames waited. */
    public static final int SLOW_CONSUMER = 4008;
    /** The same session was resumed on another socket; this one is stale. */
    public static final int SESSION_REPLACED = 4009;
}
