package io.roomcast.gateway;

import org.slf4j.MDC;

/**
 * The session and the room a log line is about, in SLF4J's MDC: the text pattern prints them
 * ({@code session=<id> room=<id>}, only those set), the JSON lines carry them under {@code mdc}.
 *
 * <p>Who sets them: a room's serial executor puts {@link #ROOM} around each turn of the room's
 * tasks (its ticks, joins, leaves: everything the room's thread does); a connection puts
 * {@link #SESSION} around the work of each frame of its session except inputs and pings, which
 * log nothing and come many times a second (an MDC entry costs a map entry per put); rarer work
 * about a session or a room on other threads (a join answered, a lease lost, a takeover) uses
 * {@link #session}/{@link #room}, which give back what was there before when closed. Each is
 * cleared when its work ends: a pool thread never carries one room's id into another's lines.
 */
public final class LogContext {

    public static final String SESSION = "session";
    public static final String ROOM = "room";

    private LogContext() {}

    /** Sets the session of this thread's log lines until closed; null sets nothing. */
    public static Scope session(String sessionId) {
        return new Scope(SESSION, sessionId);
    }

    /** Sets the room of this thread's log lines until closed; null sets nothing. */
    public static Scope room(String roomId) {
        return new Scope(ROOM, roomId);
    }

    /** One MDC entry for a stretch of work; closing it puts back the value it replaced (or none). */
    public static final class Scope implements AutoCloseable {
        private final String key;
        private final String previous;
        private final boolean set;

        private Scope(String key, String value) {
            this.key = key;
            this.set = value != null;
            this.previous = set ? MDC.get(key) : null;
            if (set) {
                MDC.put(key, value);
            }
        }

        @Override
        public void close() {
            if (!set) {
                return;
            }
            if (previous == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, previous);
            }
        }
    }
}
