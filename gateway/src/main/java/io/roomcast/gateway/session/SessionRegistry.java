package io.roomcast.gateway.session;

import io.roomcast.gateway.cluster.SessionStore;
import io.roomcast.proto.cluster.SessionRecord;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The sessions of this node, by id and by resume token, and the seat grace timers of detached
 * ones. It is also this node's presence (which sessions live here). Thread-safe: lookups are
 * lock-free; attach, detach, resume and expiry take one lock, none of them on a hot path.
 */
public final class SessionRegistry {

    /** Outcome of {@link #openAs}: the session, whether it was the player's existing one, and the socket it was taken from. */
    public record Opened(Session session, boolean tookOver, FrameSink replaced) {}

    /** Outcome of {@link #resume}: the session, and the socket it was taken from (if it had one). */
    public record Resumed(Session session, FrameSink replaced) {}

    /** What the rooms need to hear of a session's sockets. Called under the registry's lock: quick, no I/O. */
    public interface Listener {
        /** The session lost its socket (closed, or being replaced by a resume): it stops receiving room frames. */
        void offline(Session session);

        /** The grace period ended without a resume: give up {@code rooms}. */
        void seatsExpired(Session session, Set<String> rooms);
    }

    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Session> byId = new ConcurrentHashMap<>();
    private final Map<String, Session> byResumeToken = new HashMap<>(); // guarded by this
    private final ScheduledExecutorService timer;
    /** How long after a failed write of a session record they are all written again. */
    private static final long RESAVE_DELAY_MS = 1000;
    private final AtomicBoolean resaveScheduled = new AtomicBoolean();
    private volatile boolean unsaved; // a record could not be written since the last saveAll
    private final LongSupplier nanoTime;
    private final int maxSessions;
    private final int inputsPerSecond;
    private final int emitsPerSecond;
    private final long seatGraceMillis;
    private final Listener listener;
    private final String nodeId;
    private final SessionStore store;

    /**
     * @param store where sessions are kept for a resume on another node ({@link SessionStore#NONE}
     *              on the single node); tokens name {@code nodeId}
     */
    public SessionRegistry(ScheduledExecutorService timer, LongSupplier nanoTime, int maxSessions,
                           int inputsPerSecond, int emitsPerSecond, long seatGraceMillis, Listener listener,
                           String nodeId, SessionStore store) {
        this.nodeId = nodeId;
        this.store = store;
        this.timer = timer;
        this.nanoTime = nanoTime;
        this.maxSessions = maxSessions;
        this.inputsPerSecond = inputsPerSecond;
        this.emitsPerSecond = emitsPerSecond;
        this.seatGraceMillis = seatGraceMillis;
        this.listener = listener;
    }

    /**
     * A new session attached to {@code sink}, or null when the node holds its maximum.
     * {@code greet} runs before the socket is attached, so its frame (the Welcome) goes out
     * before anything a room sends to the session.
     */
    public synchronized Session open(String playerName, FrameSink sink, Consumer<Session> greet) {
        return open(newId(9), playerName, sink, greet);
    }

    /**
     * The session of a verified player: a new one with {@code playerId} as its id, or, when that
     * player already has a session on this node, that session taken over by {@code sink} as a
     * resume would (its seats kept; its old socket, if any, returned for the caller to close).
     * One session per player per node: a second connection of a player replaces the first.
     * {@code greet} gets the session and whether it was taken over. Null when the node is full.
     */
    public synchronized Opened openAs(String playerId, String playerName, FrameSink sink,
                                      java.util.function.BiConsumer<Session, Boolean> greet) {
        Session existing = byId.get(playerId);
        if (existing != null) {
            Resumed resumed = resume(existing.resumeToken(), sink, s -> greet.accept(s, true));
            if (resumed != null) {
                return new Opened(resumed.session(), true, resumed.replaced());
            }
        }
        Session session = open(playerId, playerName, sink, s -> greet.accept(s, false));
        return session == null ? null : new Opened(session, false, null);
    }

    private Session open(String id, String playerName, FrameSink sink, Consumer<Session> greet) {
        if (byId.size() >= maxSessions) {
            return null;
        }
        Session session = register(id, playerName, List.of());
        greet.accept(session);
        session.attach(sink);
        return session;
    }

    /**
     * A session another node held, resumed here from its record (its token is spent; a new one
     * is issued), attached to {@code sink}; null if the token names no record, or the node is full.
     * {@code greet} runs before the socket is attached. Completes on Redis's thread.
     */
    public CompletionStage<Session> adopt(String resumeToken, FrameSink sink, Consumer<Session> greet) {
        return store.take(resumeToken).thenApply(record -> {
            if (record.isEmpty()) {
                return null;
            }
            synchronized (this) {
                if (byId.size() >= maxSessions || byId.containsKey(record.get().getSessionId())) {
                    return null;
                }
                Session session = register(record.get().getSessionId(), record.get().getPlayerName(),
                        record.get().getRoomsList());
                greet.accept(session);
                session.attach(sink);
                return session;
            }
        });
    }

    /** Under the lock: a new session, known by id and token, kept in the store. */
    private Session register(String id, String playerName, List<String> rooms) {
        long now = nanoTime.getAsLong();
        Session session = new Session(id, playerName, newToken(), new RateLimiter(inputsPerSecond, now),
                new RateLimiter(emitsPerSecond, now));
        session.restoreRooms(rooms);
        session.onRoomsChanged(() -> save(session));
        byId.put(session.id(), session);
        byResumeToken.put(session.resumeToken(), session);
        save(session);
        return session;
    }

    /** Writes every session's record to the store again (it lost them: a Redis that came back empty). */
    public synchronized void saveAll() {
        unsaved = false;
        byId.values().forEach(this::save);
    }

    /**
     * Redis is reachable again: if a record could not be written meanwhile, every one is written
     * now rather than at the next retry — a node killed right after an outage would lose them.
     */
    public void saveAllIfUnsaved() {
        if (unsaved) {
            saveAll();
        }
    }

    private void save(Session session) {
        store.save(session.resumeToken(), SessionRecord.newBuilder().setSessionId(session.id())
                .setPlayerName(session.name()).setNodeId(nodeId).addAllRooms(session.rooms()).build())
                .whenComplete((saved, failure) -> {
                    if (failure != null) {
                        saveAllLater();
                    }
                });
    }

    /**
     * A record could not be written (Redis unreachable): every session's is written again a
     * little later, and again until it works. Else a session opened or resumed (a new token) while
     * Redis was down could not be resumed on another node after it came back with its data.
     */
    private void saveAllLater() {
        unsaved = true;
        if (!resaveScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            timer.schedule(() -> {
                resaveScheduled.set(false);
                saveAll();
            }, RESAVE_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            resaveScheduled.set(false); // the node is stopping
        }
    }

    /**
     * Re-attaches the session of {@code resumeToken} to {@code sink}, whether it was detached
     * (within its grace period) or still attached to an older socket, which is returned so the
     * caller can close it. Null if the token is unknown or expired. {@code greet} runs before
     * the socket is attached, as in {@link #open}.
     */
    public synchronized Resumed resume(String resumeToken, FrameSink sink, Consumer<Session> greet) {
        Session session = byResumeToken.get(resumeToken);
        if (session == null) {
            return null;
        }
        if (session.seatExpiry() != null) {
            session.seatExpiry().cancel(false);
            session.seatExpiry(null);
        }
        FrameSink previous = session.connection();
        if (previous != null) {
            listener.offline(session); // nothing of the rooms may reach the new socket before its Joined
        }
        // The token is spent: a new one goes out in this Welcome.
        byResumeToken.remove(resumeToken);
        store.forget(resumeToken, session.id());
        session.resumeToken(newToken());
        byResumeToken.put(session.resumeToken(), session);
        save(session);
        greet.accept(session);
        session.attach(sink);
        return new Resumed(session, previous);
    }

    /**
     * The socket of {@code session} closed. If {@code sink} is still its socket, the session is
     * detached and its seats are kept for the grace period.
     */
    public synchronized void detach(Session session, FrameSink sink) {
        if (session.connection() != sink) {
            return; // already resumed on another socket
        }
        session.detach();
        listener.offline(session);
        if (session.rooms().isEmpty() || seatGraceMillis == 0) {
            expire(session);
        } else {
            try {
                session.seatExpiry(timer.schedule(() -> expireIfDetached(session), seatGraceMillis, TimeUnit.MILLISECONDS));
            } catch (RejectedExecutionException stopping) {
                // The node stopped (its sockets close after it drained): the player resumes on another
                // node, or the rooms' owners free its seats once this node is gone (docs/architecture.md).
            }
        }
    }

    public Session get(String sessionId) {
        return byId.get(sessionId);
    }

    public int size() {
        return byId.size();
    }

    private synchronized void expireIfDetached(Session session) {
        if (!session.isAttached() && byId.get(session.id()) == session) {
            expire(session);
        }
    }

    private void expire(Session session) {
        byId.remove(session.id());
        byResumeToken.remove(session.resumeToken());
        store.forget(session.resumeToken(), session.id());
        session.seatExpiry(null);
        listener.seatsExpired(session, session.expire());
    }

    /** {@code <node>~<secret>}: any node finds the session's record from the token alone. */
    private String newToken() {
        return nodeId + "~" + newId(24);
    }

    private String newId(int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
