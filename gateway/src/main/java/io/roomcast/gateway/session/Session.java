package io.roomcast.gateway.session;

import io.roomcast.gateway.ws.wire.WireFrame;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * A player's identity on this node; it outlives its socket by the seat grace period so the
 * player can resume. Thread-safe: the connection's I/O thread and the rooms' threads use it.
 */
public final class Session {

    private final String id;
    private final String name;
    private volatile String resumeToken; // replaced at every resume: a token is single-use
    private volatile Runnable roomsChanged = () -> {};
    private final RateLimiter inputs;
    private final RateLimiter emits;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private int joining; // guarded by this: joins in flight, counted against the room limit
    private final Set<String> joiningRooms = new HashSet<>(); // guarded by this: rooms a fresh join is on its way to
    private boolean expired; // guarded by this: the grace period ended, the seats were given up
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

    /** Sends a frame prepared for the wire (shared with other sessions); dropped while detached. */
    public void send(WireFrame frame) {
        FrameSink sink = connection;
        if (sink != null) {
            sink.send(frame);
        }
    }

    public boolean isAttached() {
        return connection != null;
    }

    public boolean inRoom(String roomId) {
        return rooms.contains(roomId);
    }

    /** The rooms this session holds a seat in (a live view). */
    public Set<String> rooms() {
        return rooms;
    }

    /**
     * Counts a join on its way against {@code maxRooms}, with the rooms held; false (and nothing
     * counted) when the session is at the limit. Ends with {@link #enteredRoom} or {@link #joinFailed}.
     */
    public synchronized boolean reserveRoom(int maxRooms) {
        if (expired || rooms.size() + joining >= maxRooms) {
            return false;
        }
        joining++;
        return true;
    }

    /** A join counted by {@link #reserveRoom} did not seat the session. */
    public synchronized void joinFailed() {
        joining = Math.max(0, joining - 1);
    }

    /**
     * A fresh join of {@code roomId} is about to ask its owner for a seat: false (nothing noted)
     * when the session holds a seat there or another join of it is on its way. Two joins of one
     * room at once would both be answered with the one seat, and the second, finding the session
     * a member already, would give that seat back. Ends with {@link #enteredRoom} or {@link #notJoining}.
     */
    public synchronized boolean joiningRoom(String roomId) {
        return !rooms.contains(roomId) && joiningRooms.add(roomId);
    }

    /** The join noted by {@link #joiningRoom} did not seat the session (or seated a session that is gone). */
    public synchronized void notJoining(String roomId) {
        joiningRooms.remove(roomId);
    }

    /**
     * A join counted by {@link #reserveRoom} seated the session (on the thread that learned it:
     * room or bus). False if the session expired meanwhile: the caller gives the seat back.
     */
    public synchronized boolean enteredRoom(String roomId) {
        joining = Math.max(0, joining - 1);
        joiningRooms.remove(roomId);
        if (expired) {
            return false;
        }
        if (rooms.add(roomId)) {
            roomsChanged.run();
        }
        return true;
    }

    /** The seat grace ended: no room can be entered any more; the rooms held, to give back. */
    synchronized Set<String> expire() {
        expired = true;
        return Set.copyOf(rooms);
    }

    public synchronized boolean isExpired() {
        return expired;
    }

    /** Called when the seat is freed. */
    public void leftRoom(String roomId) {
        if (rooms.remove(roomId)) {
            roomsChanged.run();
        }
    }

    void resumeToken(String token) {
        this.resumeToken = token;
    }

    /** What the registry does when the rooms change (keep the resumable record up to date). */
    void onRoomsChanged(Runnable hook) {
        this.roomsChanged = hook;
    }

    /** A session resumed from another node's record: the rooms it holds seats in. */
    void restoreRooms(java.util.Collection<String> held) {
        rooms.addAll(held);
    }

    /** The socket the session's frames go to now; null while detached. */
    public FrameSink connection() {
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
