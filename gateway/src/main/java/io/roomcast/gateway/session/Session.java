package io.roomcast.gateway.session;

import io.roomcast.gateway.room.RoomHost;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * A player's identity on this node; it outlives its socket by the seat grace period so the
 * player can resume. Thread-safe: the connection's I/O thread and the rooms' threads use it.
 */
public final class Session {

    private final String id;
    private final String name;
    private final String resumeToken;
    private final RateLimiter inputs;
    private final RateLimiter emits;
    private final ConcurrentHashMap<String, RoomHost> rooms = new ConcurrentHashMap<>();
    private volatile FrameSink connection;
    private ScheduledFuture<?> seatExpiry; // guarded by the SessionRegistry's lock

    Session(String id, String name, String resumeToken, RateLimiter inputs, RateLimiter emits) {
        this.id = id;
        this.name = name;
        this.resumeToken = resumeToken;
        this.inputs = inputs;
        this.emits = emits;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String resumeToken() {
        return resumeToken;
    }

    /** Inputs limiter; used on the I/O thread of the current connection only. */
    public RateLimiter inputs() {
        return inputs;
    }

    /** Emits limiter; used on the I/O thread of the current connection only. */
    public RateLimiter emits() {
        return emits;
    }

    /** Sends an encoded ServerFrame if a socket is attached; dropped while detached. */
    public void send(byte[] serverFrame) {
        FrameSink sink = connection;
        if (sink != null) {
            sink.send(serverFrame);
        }
    }

    public boolean isAttached() {
        return connection != null;
    }

    public RoomHost room(String roomId) {
        return rooms.get(roomId);
    }

    public Collection<RoomHost> rooms() {
        return rooms.values();
    }

    public int roomCount() {
        return rooms.size();
    }

    /** Called on the room's thread when a seat is taken. */
    public void enteredRoom(RoomHost host) {
        rooms.put(host.roomId(), host);
    }

    /** Called on the room's thread when the seat is freed. */
    public void leftRoom(String roomId) {
        rooms.remove(roomId);
    }

    FrameSink connection() {
        return connection;
    }

    void attach(FrameSink sink) {
        this.connection = sink;
    }

    void detach() {
        this.connection = null;
    }

    ScheduledFuture<?> seatExpiry() {
        return seatExpiry;
    }

    void seatExpiry(ScheduledFuture<?> timer) {
        this.seatExpiry = timer;
    }
}
