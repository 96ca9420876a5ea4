package io.roomcast.gateway;

import io.micrometer.core.instrument.Timer;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.RoomOutput;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ServerFrame;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what a node did and what went wrong: every failure is counted, not only logged.
 * Thread-safe. The hot paths increment the {@link LongAdder}s (no allocation, no lock);
 * {@code /healthz} reads them, and {@code /metrics} exposes them as Prometheus counters
 * ({@code metrics/PrometheusMetrics}) read at scrape time. A counter with a label
 * ({@link Labeled}) has one adder per label value, made up front and picked by an index the
 * caller has at hand (an enum's ordinal, a close code's slot): no registry or map lookup, no
 * allocation and no lock per increment, also on the I/O threads' per-frame path.
 */
public final class NodeMetrics {

    public final LongAdder connectionsOpened = new LongAdder();
    /** Client frames received, by body ({@link #frameIn}); undecodable ones too. */
    public final Labeled framesIn = new Labeled("frames_in",
            "client frames received, by type (the ClientFrame's body; undecodable: not a ClientFrame)",
            "type", frameTypes(ClientFrame.BodyCase.values(), "undecodable"));
    /** Frames queued to clients' sockets, by body ({@link #frameOut}); {@code state}: the states fanned out. */
    public final Labeled framesOut = new Labeled("frames_out",
            "frames queued to clients' sockets, by type (the ServerFrame's body; type=\"state\" counts the states fanned out: one per state per socket)",
            "type", frameTypes(ServerFrame.BodyCase.values()));
    /** WebSocket connections closed, by the close code they ended with ({@link #connectionClosed}). */
    public final Labeled connectionsClosed = new Labeled("connections_closed",
            "WebSocket connections closed, by close code: the node's own close or its echo of the client's"
                    + " (1000 for a close without a code); 1006: the TCP connection ended without a close frame; other: a code of the client's not listed",
            "code", CLOSE_CODES);
    /** Bytes written to clients' sockets: WebSocket frames with their headers (states, events, replies, control frames). */
    public final LongAdder sentBytes = new LongAdder();
    public final LongAdder badFrames = new LongAdder();
    public final LongAdder textFrames = new LongAdder();
    public final LongAdder oversizeFrames = new LongAdder();
    public final LongAdder rateLimited = new LongAdder();
    public final LongAdder handshakeTimeouts = new LongAdder();
    public final LongAdder statesDropped = new LongAdder();
    public final LongAdder slowConsumerCloses = new LongAdder();
    public final LongAdder sendErrors = new LongAdder();
    public final LongAdder roomTaskErrors = new LongAdder();
    public final LongAdder staleEpochDropped = new LongAdder();
    public final LongAdder eventGapsRepaired = new LongAdder();
    public final LongAdder eventGapsUnrepaired = new LongAdder();
    public final LongAdder abandonedRoomsClaimed = new LongAdder();
    public final LongAdder roomsCreated = new LongAdder();
    public final LongAdder roomsClosed = new LongAdder();
    public final LongAdder inputsQueueFull = new LongAdder();
    /** Inputs that reached this node for a room it no longer hosts (it closed, or moved to another node). */
    public final LongAdder inputsForGoneRooms = new LongAdder();
    /** Requests (joins, emits) refused because the room's task queue was full. */
    public final LongAdder roomRequestsRefused = new LongAdder();
    /** Rooms given up because a task on their thread ran past --room-stall-ms. */
    public final LongAdder roomsStalled = new LongAdder();
    /** Rooms closed by the empty-room backstop (no seat taken for --empty-room-ms). */
    public final LongAdder emptyRoomsClosed = new LongAdder();
    /** Seats reserved for a remote join and freed because their gateway never claimed them. */
    public final LongAdder unclaimedSeatsFreed = new LongAdder();
    /** Takeovers that found no usable snapshot: the room was closed, its members told ROOM_LOST. */
    public final LongAdder roomsLost = new LongAdder();
    /** Seats freed because the node holding their player was gone for the seat grace (killed, restarted). */
    public final LongAdder orphanedSeatsFreed = new LongAdder();
    /** Sessions resumed on this node from another node's record (its node died or drained). */
    public final LongAdder resumedFromAnotherNode = new LongAdder();
    /** Hellos with a resume token: resumed here, resumed from another node's record, or not resumed. */
    public final Labeled resumes = new Labeled("resumes",
            "Hellos with a resume token, by outcome: resumed (a session of this node), from_another_node"
                    + " (its node died or drained), failed (token unknown, expired or spent, or the record unreadable: a new session)",
            "outcome", new String[] {"resumed", "from_another_node", "failed"},
            new LongAdder[] {new LongAdder(), resumedFromAnotherNode, new LongAdder()});
    public static final int RESUMED = 0;
    public static final int RESUMED_FROM_ANOTHER_NODE = 1;
    public static final int RESUME_FAILED = 2;
    /** Leases Redis had lost (it restarted empty) that their owner claimed again. */
    public final LongAdder leasesReclaimed = new LongAdder();
    /** Remote joins not answered within --join-timeout-ms. */
    public final LongAdder joinTimeouts = new LongAdder();
    public final LongAdder roomsFenced = new LongAdder();
    public final LongAdder roomsTakenOver = new LongAdder();
    /** Sockets closed for breaking RFC 6455 (1002: framing, masking, close codes; 1007: a close reason not UTF-8). */
    public final LongAdder protocolViolations = new LongAdder();
    /** Connections answered 503 at accept: the node held --max-connections. */
    public final LongAdder connectionsRefusedNode = new LongAdder();
    /** Connections answered 503 at accept: their address held --max-connections-per-ip. */
    public final LongAdder connectionsRefusedAddress = new LongAdder();
    /** Connections closed for sending no whole HTTP request within --request-timeout-ms of connecting. */
    public final LongAdder requestTimeouts = new LongAdder();
    /** WebSocket upgrades answered 429: over --max-handshakes-per-ip-per-second. */
    public final LongAdder handshakesRefusedRate = new LongAdder();
    /** WebSocket upgrades answered 403: an Origin not allowed (--allowed-origins). */
    public final LongAdder originsRefused = new LongAdder();
    /** Hellos refused by the authenticator (Error UNAUTHORIZED, close 4004). */
    public final LongAdder authRefused = new LongAdder();
    /** Redis connections Lettuce connected again after losing them. */
    public final LongAdder redisReconnects = new LongAdder();

    /** The close codes counted on their own ({@link #connectionsClosed}); any other is "other". */
    private static final String[] CLOSE_CODES = {"1000", "1001", "1002", "1003", "1006", "1007", "1008", "1009", "1011",
            "1012", "1013", "4000", "4001", "4002", "4003", "4004", "4008", "4009", "other"};

    /** A client frame of this type was received. I/O thread, per frame: one adder, picked by ordinal. */
    public void frameIn(ClientFrame.BodyCase body) {
        framesIn.increment(body.ordinal());
    }

    /** A binary message that is no ClientFrame was received. */
    public void undecodableFrameIn() {
        framesIn.increment(framesIn.size() - 1);
    }

    /** A server frame of this type was queued to a socket. Any thread, per delivery: one adder, picked by ordinal. */
    public void frameOut(ServerFrame.BodyCase body) {
        framesOut.increment(body.ordinal());
    }

    /** {@code count} frames of one body queued at once (a room frame to an I/O thread's members: one add, not one per member). */
    public void framesOut(ServerFrame.BodyCase body, int count) {
        framesOut.add(body.ordinal(), count);
    }

    /** A WebSocket connection ended with this close code (1006: without a close frame). */
    public void connectionClosed(int code) {
        connectionsClosed.increment(closeCodeSlot(code));
    }

    /** The slot of {@code code} in {@link #CLOSE_CODES}: a switch, no lookup. */
    static int closeCodeSlot(int code) {
        return switch (code) {
            case 1000 -> 0;
            case 1001 -> 1;
            case 1002 -> 2;
            case 1003 -> 3;
            case 1006 -> 4;
            case 1007 -> 5;
            case 1008 -> 6;
            case 1009 -> 7;
            case 1011 -> 8;
            case 1012 -> 9;
            case 1013 -> 10;
            case 4000 -> 11;
            case 4001 -> 12;
            case 4002 -> 13;
            case 4003 -> 14;
            case 4004 -> 15;
            case 4008 -> 16;
            case 4009 -> 17;
            default -> 18;
        };
    }

    /** The label values of a protobuf oneof's cases, lower case ("keyframe_request"); its "not set" case is "unknown". */
    private static String[] frameTypes(Enum<?>[] cases, String... more) {
        String[] out = new String[cases.length + more.length];
        for (Enum<?> c : cases) {
            out[c.ordinal()] = c.name().equals("BODY_NOT_SET") ? "unknown" : c.name().toLowerCase(Locale.ROOT);
        }
        System.arraycopy(more, 0, out, cases.length, more.length);
        return out;
    }

    /**
     * A counter with one label whose values are all known up front, each with its own adder (so
     * every value is exported from the start, at 0). Incremented by the value's index.
     */
    public static final class Labeled {
        private final String name;
        private final String help;
        private final String label;
        private final String[] values;
        private final LongAdder[] adders;

        Labeled(String name, String help, String label, String[] values) {
            this(name, help, label, values, newAdders(values.length));
        }

        Labeled(String name, String help, String label, String[] values, LongAdder[] adders) {
            if (values.length != adders.length) {
                throw new IllegalArgumentException(values.length + " values, " + adders.length + " adders");
            }
            this.name = name;
            this.help = help;
            this.label = label;
            this.values = values.clone();
            this.adders = adders;
        }

        private static LongAdder[] newAdders(int n) {
            LongAdder[] adders = new LongAdder[n];
            for (int i = 0; i < n; i++) {
                adders[i] = new LongAdder();
            }
            return adders;
        }

        public void increment(int index) {
            adders[index].increment();
        }

        public void add(int index, long count) {
            adders[index].add(count);
        }

        /** Snake case, without the {@code roomcast_} prefix and the {@code _total} suffix. */
        public String name() {
            return name;
        }

        public String help() {
            return help;
        }

        public String label() {
            return label;
        }

        public int size() {
            return values.length;
        }

        public String value(int index) {
            return values[index];
        }

        public LongAdder adder(int index) {
            return adders[index];
        }

        /** The count of one label value (tests, logs). */
        public long get(String value) {
            for (int i = 0; i < values.length; i++) {
                if (values[i].equals(value)) {
                    return adders[i].sum();
                }
            }
            throw new IllegalArgumentException(name + " has no " + label + " " + value);
        }

        /** Over every label value. */
        public long sum() {
            long total = 0;
            for (LongAdder adder : adders) {
                total += adder.sum();
            }
            return total;
        }
    }

    /** One counter: its name (snake case, without the {@code roomcast_} prefix), what it counts, its value. */
    public record Counter(String name, String help, LongAdder value) {

        /**
         * The name in {@code /metrics}, before {@code _total}: the counter's name, except that the
         * Prometheus client reserves a {@code _created} suffix (OpenMetrics' creation timestamps) and
         * would cut {@code rooms_created} down to {@code rooms}.
         */
        public String prometheusName() {
            return name.equals("rooms_created") ? "room_creations" : name;
        }
    }

    /** The timers a game's ticks are recorded in: how long each took, and how late it started. */
    public record TickTimers(Timer duration, Timer lateness) {}

    private volatile Map<String, TickTimers> tickTimers = Map.of();

    /** Every counter, in a stable order: {@code /healthz}'s fields and {@code /metrics}'s counters. */
    public List<Counter> counters() {
        return List.of(
            new Counter("connections_opened", "WebSocket connections upgraded", connectionsOpened),
            new Counter("sent_bytes", "bytes written to clients' sockets: WebSocket frames with their headers, control frames included", sentBytes),
            new Counter("bad_frames", "client frames that did not decode (Error BAD_FRAME; close 4000 after 20)", badFrames),
            new Counter("text_frames", "sockets closed with 1003 for a text frame", textFrames),
            new Counter("oversize_frames", "sockets closed with 1009 for a message over --max-frame-bytes", oversizeFrames),
            new Counter("rate_limited", "inputs and emits refused with RATE_LIMITED (--max-inputs-per-second, --max-emits-per-second)", rateLimited),
            new Counter("handshake_timeouts", "sockets closed with 4002: no Hello within --handshake-timeout-ms", handshakeTimeouts),
            new Counter("states_dropped", "state frames dropped for a socket over --send-queue-bytes (the client asks for a keyframe)", statesDropped),
            new Counter("slow_consumer_closes", "sockets closed with 4008: a non-state frame found the send queue full", slowConsumerCloses),
            new Counter("send_errors", "socket write errors", sendErrors),
            new Counter("room_task_errors", "exceptions thrown by a task on a room's thread (a tick, a join, game code)", roomTaskErrors),
            new Counter("stale_epoch_dropped", "room frames of a deposed owner (an older epoch) dropped", staleEpochDropped),
            new Counter("event_gaps_repaired", "room events a fan-out missed (pub/sub lost them) and got from the owner", eventGapsRepaired),
            new Counter("abandoned_rooms_claimed", "rooms claimed by a resume that found the owner gone and nobody listening", abandonedRoomsClaimed),
            new Counter("event_gaps_unrepaired", "gaps in a room's events a fan-out could not fill (owner gone, or past its log)", eventGapsUnrepaired),
            new Counter("rooms_created", "rooms created on this node", roomsCreated),
            new Counter("rooms_closed", "rooms this node owned that closed", roomsClosed),
            new Counter("inputs_queue_full", "inputs dropped: the room's input queue was full", inputsQueueFull),
            new Counter("inputs_for_gone_rooms", "inputs for a room this node no longer hosts (closed, or moved)", inputsForGoneRooms),
            new Counter("room_requests_refused", "joins, emits and keyframe requests refused: the room's task queue was full (--room-queue-max)", roomRequestsRefused),
            new Counter("rooms_stalled", "rooms given up: a task on their thread ran past --room-stall-ms", roomsStalled),
            new Counter("empty_rooms_closed", "rooms closed with no seat taken for --empty-room-ms", emptyRoomsClosed),
            new Counter("unclaimed_seats_freed", "seats reserved for a remote join that were never claimed", unclaimedSeatsFreed),
            new Counter("rooms_lost", "takeovers that found no usable snapshot: the room ended with ROOM_LOST", roomsLost),
            new Counter("join_timeouts", "remote joins not answered within --join-timeout-ms", joinTimeouts),
            new Counter("leases_reclaimed", "leases Redis had lost (it restarted empty) claimed again by their owner", leasesReclaimed),
            new Counter("orphaned_seats_freed", "seats freed because their player's node was gone for the seat grace", orphanedSeatsFreed),
            new Counter("resumed_from_another_node", "sessions resumed here from another node's record", resumedFromAnotherNode),
            new Counter("rooms_fenced", "rooms this node stopped ticking because another node holds the lease", roomsFenced),
            new Counter("rooms_taken_over", "rooms this node took over from a silent or draining owner", roomsTakenOver),
            new Counter("protocol_violations", "sockets closed for breaking RFC 6455 (1002, 1007)", protocolViolations),
            new Counter("connections_refused_node", "connections answered 503 at accept: --max-connections reached", connectionsRefusedNode),
            new Counter("connections_refused_address", "connections answered 503 at accept: --max-connections-per-ip reached", connectionsRefusedAddress),
            new Counter("request_timeouts", "connections closed with no whole HTTP request within --request-timeout-ms", requestTimeouts),
            new Counter("handshakes_refused_rate", "WebSocket upgrades answered 429: over --max-handshakes-per-ip-per-second", handshakesRefusedRate),
            new Counter("origins_refused", "WebSocket upgrades answered 403: an Origin not allowed", originsRefused),
            new Counter("auth_refused", "Hellos refused by the authenticator (close 4004)", authRefused),
            new Counter("redis_reconnects", "Redis connections (commands, publishing, pub/sub; a Redis Cluster's per shard)"
                    + " that Lettuce connected again after losing them", redisReconnects));
    }

    /** Every counter with a label, in a stable order. */
    public List<Labeled> labeledCounters() {
        return List.of(framesIn, framesOut, connectionsClosed, resumes);
    }

    /** Name -> value, in a stable order, for the HTTP endpoints (a labelled counter: its sum). */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Counter counter : counters()) {
            out.put(counter.name(), counter.value().sum());
        }
        for (Labeled counter : labeledCounters()) {
            out.put(counter.name(), counter.sum());
        }
        return out;
    }

    private volatile Timer[] redisCommandTimers;
    private volatile Timer pubSubLag;

    /**
     * The Redis timers: one per command type in the order of {@code RedisCommandLatency.COMMANDS},
     * then the one of every other command; and the pub/sub lag of room frames. Set once at start.
     */
    public void redisTimers(Timer[] byCommand, Timer pubSubLag) {
        this.redisCommandTimers = byCommand.clone();
        this.pubSubLag = pubSubLag;
    }

    /** See {@link #redisTimers}; null until set. Lettuce's event loop reads it for every command. */
    public Timer[] redisCommandTimers() {
        return redisCommandTimers;
    }

    /** A room frame arrived {@code nanos} after its owner published it (its clock against ours). Bus thread. */
    public void pubSubLag(long nanos) {
        Timer timer = pubSubLag;
        if (timer != null) {
            timer.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }
    }

    /** The tick timers of each game type; set once, before the first room is created. */
    public void tickTimers(Map<String, TickTimers> timersByGameType) {
        this.tickTimers = Map.copyOf(timersByGameType);
    }

    /**
     * {@code room} with each of its ticks' lateness and duration recorded in the timers of
     * {@code gameType} (as is when there are none). The timers are looked up here, once per room,
     * not per tick: a tick costs two {@link Timer#record(long, TimeUnit)} calls, each adding to
     * striped adders and an atomic bucket array — no allocation and no lock
     * ({@code TickTimerAllocationTest} checks it, {@code TickMetricsBenchmark} measures it).
     */
    public RoomOutput timingTicks(String gameType, RoomOutput room) {
        TickTimers timers = tickTimers.get(gameType);
        return timers == null ? room : new TickTimed(room, timers.duration(), timers.lateness());
    }

    /** A room's output that records its ticks' durations and lateness, and passes them and everything else on. */
    private record TickTimed(RoomOutput room, Timer duration, Timer lateness) implements RoomOutput {
        @Override
        public void toRoom(byte[] serverFrame, String exceptPlayerId) {
            room.toRoom(serverFrame, exceptPlayerId);
        }

        @Override
        public void toPlayer(String playerId, byte[] serverFrame) {
            room.toPlayer(playerId, serverFrame);
        }

        @Override
        public void playerRemoved(String playerId, LeaveCause cause, String detail) {
            room.playerRemoved(playerId, cause, detail);
        }

        @Override
        public void roomClosed() {
            room.roomClosed();
        }

        @Override
        public long epoch() {
            return room.epoch();
        }

        @Override
        public void tickLate(long nanos) {
            lateness.record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void tickTook(long nanos) {
            duration.record(nanos, TimeUnit.NANOSECONDS);
            room.tickTook(nanos); // the room's own record (a host's tick samples for the admin page)
        }
    }
}
