package io.roomcast.gateway;

import io.roomcast.core.loop.Clock;
import io.roomcast.core.room.RoomType;
import io.roomcast.gateway.admin.AdminAccess;
import io.roomcast.gateway.admin.ClusterView;
import io.roomcast.gateway.admin.NodeReporter;
import io.roomcast.gateway.auth.Authenticator;
import io.roomcast.gateway.auth.Authenticators;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.cluster.NodeReports;
import io.roomcast.gateway.cluster.redis.RedisNodeReports;
import io.roomcast.gateway.cluster.RoomDirectory;
import io.roomcast.gateway.cluster.RoomOwnership;
import io.roomcast.gateway.cluster.Presence;
import io.roomcast.gateway.cluster.EventStore;
import io.roomcast.gateway.cluster.SessionStore;
import io.roomcast.gateway.cluster.redis.RedisEventStore;
import io.roomcast.gateway.cluster.SnapshotStore;
import io.roomcast.gateway.cluster.redis.RedisSessionStore;
import io.roomcast.gateway.cluster.local.LocalPresence;
import io.roomcast.gateway.cluster.redis.RedisPresence;
import io.roomcast.gateway.cluster.local.LocalMessageBus;
import io.roomcast.gateway.cluster.local.LocalRoomDirectory;
import io.roomcast.gateway.cluster.local.LocalRoomOwnership;
import io.roomcast.gateway.cluster.redis.RedisConnections;
import io.roomcast.gateway.cluster.redis.RedisMessageBus;
import io.roomcast.gateway.cluster.redis.RedisRoomDirectory;
import io.roomcast.gateway.cluster.redis.RedisRoomOwnership;
import io.roomcast.gateway.cluster.redis.RedisSecurity;
import io.roomcast.gateway.cluster.redis.RedisSnapshotStore;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.hosting.OwnerSide;
import io.roomcast.gateway.hosting.RoomWorkers;
import io.roomcast.gateway.http.AdminRoutes;
import io.roomcast.gateway.http.ClientAddresses;
import io.roomcast.gateway.http.ConnectionGate;
import io.roomcast.gateway.http.HttpRoutes;
import io.roomcast.gateway.http.HttpServer;
import io.roomcast.gateway.members.Members;
import io.roomcast.gateway.metrics.PrometheusMetrics;
import io.roomcast.gateway.routing.MemberChannels;
import io.roomcast.gateway.routing.NodeInbox;
import io.roomcast.gateway.routing.OwnerChannels;
import io.roomcast.gateway.routing.RoomRouter;
import io.roomcast.gateway.session.SessionRegistry;
import io.roomcast.gateway.ws.WsEndpoint;
import io.roomcast.gateway.ws.WsServices;
import io.roomcast.games.BundledGames;
import io.roomcast.proto.cluster.NodeReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Roomcast node: wires the services together — the gateway side (sessions, routing, members)
 * and the owner side (hosting), which meet through the owner and member channels — serves HTTP
 * and WebSocket, and shuts down in order. With no cluster configured it runs on the in-process
 * directory, ownership and bus (the embedded default). {@link #start} and {@link #stop} are for
 * one thread (main, tests).
 */
public final class Node implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);
    /** Inputs for a room on another node whose tick rate is not known yet leave after this window. */
    private static final long INPUT_WINDOW_MICROS = 5_000;
    /** Room events kept per room in Redis for a takeover (about: XADD MAXLEN ~); a room's own log keeps its game's capacity. */
    private static final long EVENTS_KEPT = 1024;

    private final NodeConfig config;
    private final NodeMetrics metrics = new NodeMetrics();
    private final PrometheusMetrics prometheus;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final RoomWorkers workers;
    private final SessionRegistry sessions;
    private final RoomRouter router;
    private final OwnerSide owner;
    private final NodeInbox inbox;
    private final RedisConnections redis; // null on the embedded default
    private final RedisMessageBus redisBus; // null on the embedded default
    private final WsEndpoint endpoint;
    private final HttpServer server;
    private final Members members;
    private final Presence presence;
    private final NodeReports nodeReports;
    private final AdminAccess adminAccess;
    private final NodeReporter reporter; // null unless a cluster node with its admin page on
    private int port;

    public Node(NodeConfig config) {
        this(config, BundledGames.named(config.gameNames()), Clock.SYSTEM);
    }

    public Node(NodeConfig config, Collection<RoomType<?>> games, Clock clock) {
        this(config, games, clock, null);
    }

    /** A node whose Hellos are verified by {@code authenticator} (null: the one {@code --auth} asks for). */
    public Node(NodeConfig config, Collection<RoomType<?>> games, Clock clock, Authenticator authenticator) {
        this.config = config.validate();
        if (authenticator == null) {
            authenticator = Authenticators.fromConfig(config);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        this.workers = new RoomWorkers(cores);
        MessageBus bus;
        RoomDirectory directory;
        RoomOwnership ownership;
        SnapshotStore snapshots;
        Presence presence;
        SessionStore sessionStore;
        EventStore eventStore;
        String incarnation = java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextLong());
        // Registered first: the Redis timers must be there before the first command, the rooms' tick
        // timers before the first room. Its gauges are read only when scraped, after this constructor.
        this.prometheus = new PrometheusMetrics(config.nodeId, metrics, games.stream().map(RoomType::name).toList(),
                this::openConnections, this::sessionCount, this::roomCount, this::playerCount);
        if (config.redisUrl == null || config.redisUrl.isBlank()) {
            this.redis = null;
            this.redisBus = null;
            bus = new LocalMessageBus();
            directory = new LocalRoomDirectory();
            ownership = new LocalRoomOwnership(config.nodeId);
            snapshots = SnapshotStore.NONE;
            presence = new LocalPresence(config.nodeId, incarnation);
            sessionStore = SessionStore.NONE;
            eventStore = EventStore.NONE;
            this.nodeReports = NodeReports.NONE;
        } else {
            this.redisBus = new RedisMessageBus(config.redisUrl, config.redisCluster,
                    new RedisSecurity(config.redisUser, config.redisPassword, config.redisCaFile), metrics);
            this.redis = redisBus.connections();
            bus = redisBus;
            directory = new RedisRoomDirectory(redis, config.leaseMs);
            ownership = new RedisRoomOwnership(redis, config.nodeId, config.leaseMs);
            snapshots = new RedisSnapshotStore(redis, config.leaseMs);
            presence = new RedisPresence(redis, config.nodeId, incarnation, config.leaseMs, config.seatGraceMs);
            sessionStore = new RedisSessionStore(redis);
            eventStore = new RedisEventStore(redis, EVENTS_KEPT);
            this.nodeReports = new RedisNodeReports(redis);
        }
        this.presence = presence;
        Members members = new Members(config.nodeId, bus, metrics);
        this.members = members;
        MemberChannels memberChannel = new MemberChannels(config.nodeId, bus);
        this.owner = new OwnerSide(config, games, directory, ownership, snapshots, eventStore, bus, presence, workers, clock,
                metrics, members, memberChannel);
        OwnerChannels owners = new OwnerChannels(config.nodeId, owner.requests(), bus, workers.timer(), clock, members::tickGridOf,
                config.joinTimeoutMs, Math.min(config.joinTimeoutMs, Math.max(250, config.leaseMs / 3)),
                config.inputLeadMs * 1_000L, INPUT_WINDOW_MICROS);
        this.router = new RoomRouter(config.nodeId, incarnation, config.maxRoomsPerSession, directory, ownership, owner.creator(),
                owners, members, this::session, metrics, workers.timer(), 2L * config.leaseMs + config.joinTimeoutMs,
                presence, sessionStore, memberChannel);
        memberChannel.bind(router); // the owner side answers this node's own sessions through the router
        this.sessions = new SessionRegistry(workers.timer(), clock::nanoTime, config.maxSessions,
                config.maxInputsPerSecond, config.maxEmitsPerSecond, config.seatGraceMs, router, config.nodeId, sessionStore);
        members.onMissedEvents((ownerNode, roomId, after) -> owners.to(ownerNode).eventsAfter(roomId, after));
        presence.onSessionRecordsLost(sessions::saveAll);
        if (redis != null) {
            redis.onReconnect(() -> workers.timer().execute(sessions::saveAllIfUnsaved)); // off Lettuce's thread
        }
        this.inbox = new NodeInbox(config.nodeId, bus, owner.requests(), owners, router, metrics);
        ConnectionGate gate = new ConnectionGate(config.maxConnections, config.maxConnectionsPerIp,
                config.maxHandshakesPerIpPerSecond, config.requestTimeoutMs, ClientAddresses.trusting(config.trustedProxies),
                metrics, clock::nanoTime);
        this.endpoint = new WsEndpoint(new WsServices(config.nodeId, config, WsServices.limitsOf(config),
                sessions, router, metrics, clock, draining), gate, authenticator);
        this.adminAccess = AdminAccess.of(config);
        this.reporter = redis != null && adminAccess.mode() != AdminAccess.Mode.OFF
                ? new NodeReporter(config.nodeId, nodeReports, this::report) : null;
        this.server = new HttpServer(config.host, config.port, config.ioThreads > 0 ? config.ioThreads : cores,
                Math.max(2, cores), config.requestTimeoutMs,
                HttpRoutes.create(endpoint.handler(), () -> !draining.get(), this::isReady, this::status, prometheus,
                        AdminRoutes.create(adminAccess, () -> ClusterView.node(report()),
                                () -> ClusterView.gather(config.nodeId, redis != null, config.leaseMs, this.presence,
                                        nodeReports, this::report))), gate);
    }

    public Node start() {
        inbox.open();
        owner.start();
        server.start();
        port = server.port();
        if (reporter != null) {
            reporter.start();
        }
        log.info("node {} listening on {}:{} ({})", config.nodeId, config.host, port, redis == null
                ? "embedded: in-process directory, ownership and bus"
                : "cluster through " + (config.redisCluster ? "Redis Cluster " : "Redis ") + RedisSecurity.redact(config.redisUrl));
        return this;
    }

    /** The port actually bound (useful with --port 0). */
    public int port() {
        return port;
    }

    public String nodeId() {
        return config.nodeId;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    /** The rooms this node owns and ticks right now. */
    public java.util.Collection<String> ownedRooms() {
        return owner.roomIds();
    }

    /**
     * Drains: refuses new handshakes (and /readyz says not ready), closes every socket with 1012
     * (clients reconnect, in a cluster to another node, and resume there with their seats), hands
     * its rooms over (cluster) or closes them (single node), then stops the server and the workers.
     */
    public void stop() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        log.info("node {} draining", config.nodeId);
        endpoint.closeAll();      // 1012 "service restart": the clients reconnect elsewhere and resume, seats kept
        owner.closeAll(config.drainTimeoutMs); // the rooms move: last snapshot, lease released, a member node claims at once
        if (reporter != null) {
            reporter.close();
        }
        inbox.close();
        server.close();
        workers.close();
        if (redisBus != null) {
            try {
                redisBus.close(); // the frames it gathered, then the connections
            } catch (Exception e) {
                log.warn("closing Redis connections: {}", e.toString());
            }
        }
        log.info("node {} stopped", config.nodeId);
    }

    @Override
    public void close() {
        stop();
    }

    /** How the admin page is reached here: off, open (embedded on loopback), or with the token. */
    public AdminAccess.Mode adminMode() {
        return adminAccess.mode();
    }

    /** What this node tells the admin page: its state, the rooms it owns, its members of rooms. Any thread. */
    private NodeReport report() {
        return NodeReport.newBuilder()
                .setNodeId(config.nodeId)
                .setReady(isReady())
                .setDraining(draining.get())
                .setConnections(endpoint.openConnections())
                .setSessions(sessions.size())
                .setStatesDropped(metrics.statesDropped.sum())
                .setSlowConsumerCloses(metrics.slowConsumerCloses.sum())
                .addAllOwned(owner.ownedRoomsReport())
                .addAllMembers(members.memberRoomsReport())
                .build();
    }

    /** Takes players: not draining, and (in a cluster) Redis reachable for commands and pub/sub. */
    public boolean isReady() {
        return !draining.get() && (redis == null || redis.isConnected());
    }

    /** A session of this node by id (the router is built before the registry, which reports to it). */
    private io.roomcast.gateway.session.Session session(String id) {
        return sessions.get(id);
    }

    private int openConnections() {
        return endpoint.openConnections();
    }

    private int sessionCount() {
        return sessions.size();
    }

    private int roomCount(String gameType) {
        return owner.roomCount(gameType);
    }

    private int playerCount(String gameType) {
        return owner.playerCount(gameType);
    }

    private Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status", draining.get() ? "draining" : "ok");
        status.put("ready", isReady());
        status.put("node_id", config.nodeId);
        status.put("connections", endpoint.openConnections());
        status.put("sessions", sessions.size());
        status.put("rooms", owner.roomCount());
        status.putAll(metrics.snapshot());
        return status;
    }
}

