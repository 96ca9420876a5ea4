package io.roomcast.gateway.config;

import io.roomcast.core.loop.TickGrid;
import io.roomcast.games.BundledGames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.List;

/**
 * Every setting of a node: a flag, or the environment variable named in its default. Limits
 * have safe defaults (never unlimited); {@code docs/configuration.md} lists them all (generated from
 * these annotations and {@link #RANGES}).
 */
@Command(name = "roomcast-gateway", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs one Roomcast node: WebSocket endpoint /ws, the browser demo at /, /healthz.")
public final class NodeConfig {

    @Option(names = "--host", defaultValue = "${env:HOST:-0.0.0.0}",
            description = "Address to listen on (env HOST). Default: ${DEFAULT-VALUE}")
    public String host;

    @Option(names = "--port", defaultValue = "${env:PORT:-8080}",
            description = "TCP port; 0 picks a free one (env PORT). Default: ${DEFAULT-VALUE}")
    public int port;

    @Option(names = "--node-id", defaultValue = "${env:NODE_ID:-}",
            description = "This node's id in the cluster (env NODE_ID). Default: a random one")
    public String nodeId;

    @Option(names = "--redis-url", defaultValue = "${env:REDIS_URL:-}",
            description = "Redis to cluster through, e.g. redis://127.0.0.1:6379; empty runs the embedded single node (env REDIS_URL). Default: none")
    public String redisUrl;

    @Option(names = "--redis-cluster", defaultValue = "${env:REDIS_CLUSTER:-false}",
            description = "The Redis URL points at a Redis Cluster: use sharded pub/sub (env REDIS_CLUSTER). Default: ${DEFAULT-VALUE}")
    public boolean redisCluster;

    @Option(names = "--lease-ms", defaultValue = "${env:LEASE_MS:-3000}",
            description = "Room ownership lease in a cluster; renewed every third of it; a dead owner's rooms are taken over after it (env LEASE_MS). Default: ${DEFAULT-VALUE}")
    public int leaseMs;

    @Option(names = "--snapshot-every-ticks", defaultValue = "${env:SNAPSHOT_EVERY_TICKS:-20}",
            description = "In a cluster, a room's state is saved to Redis every N ticks, for a takeover (env SNAPSHOT_EVERY_TICKS). Default: ${DEFAULT-VALUE}")
    public int snapshotEveryTicks;

    @Option(names = "--input-lead-ms", defaultValue = "${env:INPUT_LEAD_MS:-4}",
            description = "Inputs for a room another node owns are sent this long before the room's next tick on the wall-clock grid, one message per owner per tick: the way there (Redis) plus the clock skew between the nodes; an input closer to the tick than this goes with the next one (env INPUT_LEAD_MS). Default: ${DEFAULT-VALUE}")
    public int inputLeadMs;

    @Option(names = "--join-timeout-ms", defaultValue = "${env:JOIN_TIMEOUT_MS:-5000}",
            description = "A join sent to a room's owner on another node that gets no answer in this time fails with INTERNAL; a seat the owner reserved for it is freed after twice this (env JOIN_TIMEOUT_MS). Default: ${DEFAULT-VALUE}")
    public int joinTimeoutMs;

    @Option(names = "--empty-room-ms", defaultValue = "${env:EMPTY_ROOM_MS:-10000}",
            description = "A room with no seat taken for this long is closed, whatever emptied it (env EMPTY_ROOM_MS). Default: ${DEFAULT-VALUE}")
    public int emptyRoomMs;

    @Option(names = "--room-stall-ms", defaultValue = "${env:ROOM_STALL_MS:-5000}",
            description = "A room whose thread is stuck in one task (a tick, a join) for this long is given up: fenced, its lease released for a takeover, or closed on a single node (env ROOM_STALL_MS). Default: ${DEFAULT-VALUE}")
    public int roomStallMs;

    @Option(names = "--room-queue-max", defaultValue = "${env:ROOM_QUEUE_MAX:-1024}",
            description = "Players' requests (joins, emits, keyframe requests) waiting for one room's thread; more are refused with RATE_LIMITED (env ROOM_QUEUE_MAX). Default: ${DEFAULT-VALUE}")
    public int roomQueueMax;

    @Option(names = "--max-frame-bytes", defaultValue = "${env:MAX_FRAME_BYTES:-16384}",
            description = "Largest client message; larger closes with 1009 (env MAX_FRAME_BYTES). Default: ${DEFAULT-VALUE}")
    public int maxFrameBytes;

    @Option(names = "--max-inputs-per-second", defaultValue = "${env:MAX_INPUTS_PER_SECOND:-60}",
            description = "Inputs per connection per second, burst of one second; more are dropped with RATE_LIMITED (env MAX_INPUTS_PER_SECOND). Default: ${DEFAULT-VALUE}")
    public int maxInputsPerSecond;

    @Option(names = "--max-emits-per-second", defaultValue = "${env:MAX_EMITS_PER_SECOND:-30}",
            description = "Emits per connection per second, burst of one second; more are refused with RATE_LIMITED (env MAX_EMITS_PER_SECOND). Default: ${DEFAULT-VALUE}")
    public int maxEmitsPerSecond;

    @Option(names = "--max-players-per-room", defaultValue = "${env:MAX_PLAYERS_PER_ROOM:-64}",
            description = "Cap on seats per room, whatever the game asks (env MAX_PLAYERS_PER_ROOM). Default: ${DEFAULT-VALUE}")
    public int maxPlayersPerRoom;

    @Option(names = "--max-rooms-per-node", defaultValue = "${env:MAX_ROOMS_PER_NODE:-1000}",
            description = "Rooms this node hosts at most; more are refused with TOO_MANY_ROOMS (env MAX_ROOMS_PER_NODE). Default: ${DEFAULT-VALUE}")
    public int maxRoomsPerNode;

    @Option(names = "--max-rooms-per-session", defaultValue = "${env:MAX_ROOMS_PER_SESSION:-4}",
            description = "Rooms one session may be in at once (env MAX_ROOMS_PER_SESSION). Default: ${DEFAULT-VALUE}")
    public int maxRoomsPerSession;

    @Option(names = "--games", defaultValue = "${env:GAMES:-orb-rush,four-in-a-row,bench-arena,bench-broadcast}",
            description = "Room types this node offers, comma-separated (env GAMES). Default: ${DEFAULT-VALUE}")
    public String games;

    @Option(names = "--tick-rate", defaultValue = "${env:TICK_RATE:-0}",
            description = "Ticks per second of every room; 0 keeps each game's own rate (bundled: orb-rush and bench-arena 20, four-in-a-row 10, bench-broadcast 1) (env TICK_RATE). Default: ${DEFAULT-VALUE}")
    public int tickRate;

    @Option(names = "--tick-phases", defaultValue = "${env:TICK_PHASES:-2}",
            description = "Phases a tick period is split into: each room ticks at the one its id hashes to, so a node's rooms do not all tick, encode and send in one burst (shorter tick-to-client latency); 1 puts every room of a rate on the same instants. Give every node of a cluster the same value: a room keeps its phase when another node takes it over (env TICK_PHASES). Default: ${DEFAULT-VALUE}")
    public int tickPhases;

    @Option(names = "--send-queue-bytes", defaultValue = "${env:SEND_QUEUE_BYTES:-262144}",
            description = "Bytes queued to one socket and not yet written; over it states are dropped and other frames close the socket with 4008 (env SEND_QUEUE_BYTES). Default: ${DEFAULT-VALUE}")
    public int sendQueueBytes;

    @Option(names = "--slow-consumer-ms", defaultValue = "${env:SLOW_CONSUMER_MS:-5000}",
            description = "A client whose states have been dropped (its send queue full) for this long is closed with 4008, the close sent ahead of what it has not read (env SLOW_CONSUMER_MS). Default: ${DEFAULT-VALUE}")
    public int slowConsumerMs;

    @Option(names = "--handshake-timeout-ms", defaultValue = "${env:HANDSHAKE_TIMEOUT_MS:-5000}",
            description = "Time from connect to Hello; past it the socket closes with 4002 (env HANDSHAKE_TIMEOUT_MS). Default: ${DEFAULT-VALUE}")
    public int handshakeTimeoutMs;

    @Option(names = "--seat-grace-ms", defaultValue = "${env:SEAT_GRACE_MS:-15000}",
            description = "How long a dropped player's seats are kept for a resume (env SEAT_GRACE_MS). Default: ${DEFAULT-VALUE}")
    public int seatGraceMs;

    @Option(names = "--max-sessions", defaultValue = "${env:MAX_SESSIONS:-20000}",
            description = "Sessions (connected or awaiting resume) on this node; more close with 1013 (env MAX_SESSIONS). Default: ${DEFAULT-VALUE}")
    public int maxSessions;

    @Option(names = "--io-threads", defaultValue = "${env:IO_THREADS:-0}",
            description = "Socket I/O threads (each reads, decodes and writes its sockets); 0: one per core (env IO_THREADS). Default: ${DEFAULT-VALUE}")
    public int ioThreads;

    @Option(names = "--drain-timeout-ms", defaultValue = "${env:DRAIN_TIMEOUT_MS:-5000}",
            description = "On SIGTERM, time given to close sockets and rooms before exit (env DRAIN_TIMEOUT_MS). Default: ${DEFAULT-VALUE}")
    public int drainTimeoutMs;

    @Option(names = "--request-timeout-ms", defaultValue = "${env:REQUEST_TIMEOUT_MS:-10000}",
            description = "A connection must send a whole HTTP request line and headers (the WebSocket upgrade) within this time of connecting, and a keep-alive connection its next request; else it is closed without an answer (slowloris) (env REQUEST_TIMEOUT_MS). Default: ${DEFAULT-VALUE}")
    public int requestTimeoutMs;

    @Option(names = "--max-connections", defaultValue = "${env:MAX_CONNECTIONS:-25000}",
            description = "TCP connections (HTTP and WebSocket) this node holds at most; more are answered 503 at accept (env MAX_CONNECTIONS). Default: ${DEFAULT-VALUE}")
    public int maxConnections;

    @Option(names = "--max-connections-per-ip", defaultValue = "${env:MAX_CONNECTIONS_PER_IP:-256}",
            description = "TCP connections from one client address (an IPv6 /64) at most; more are answered 503 at accept; a trusted proxy's count only against --max-connections (env MAX_CONNECTIONS_PER_IP). Default: ${DEFAULT-VALUE}")
    public int maxConnectionsPerIp;

    @Option(names = "--max-handshakes-per-ip-per-second", defaultValue = "${env:MAX_HANDSHAKES_PER_IP_PER_SECOND:-20}",
            description = "WebSocket upgrades per second from one client address, burst of one second; more are answered 429 (env MAX_HANDSHAKES_PER_IP_PER_SECOND). Default: ${DEFAULT-VALUE}")
    public int maxHandshakesPerIpPerSecond;

    @Option(names = "--trusted-proxies", defaultValue = "${env:TRUSTED_PROXIES:-}",
            description = "Load balancers' addresses or networks, comma-separated (10.0.0.0/8,127.0.0.1): their connections count against --max-connections only, and a request's client is the last address of its X-Forwarded-For (env TRUSTED_PROXIES). Default: none")
    public String trustedProxies;

    @Option(names = "--allowed-origins", defaultValue = "${env:ALLOWED_ORIGINS:-}",
            description = "Web pages that may open a WebSocket here besides this node's own, comma-separated origins (https://game.example.com, https://*.example.com, or *); others get 403. Requests with no Origin (not a browser) are allowed; the embedded node also allows localhost pages (env ALLOWED_ORIGINS). Default: none")
    public String allowedOrigins;

    @Option(names = "--auth", defaultValue = "${env:AUTH:-auto}",
            description = "How a Hello is authenticated: jwt (a signed token is required), open (anyone, as any name), or auto: jwt when --auth-jwt-secret is set, else open (a cluster node says so loudly at start) (env AUTH). Default: ${DEFAULT-VALUE}")
    public String auth;

    @Option(names = "--auth-jwt-secret", defaultValue = "${env:AUTH_JWT_SECRET:-}",
            description = "The HMAC-SHA256 secret the game's login server signs tokens with, at least 32 bytes; prefer the environment variable to the flag (env AUTH_JWT_SECRET). Default: none")
    public String authJwtSecret;

    @Option(names = "--auth-clock-skew-seconds", defaultValue = "${env:AUTH_CLOCK_SKEW_SECONDS:-30}",
            description = "How far a token's exp and nbf may be off this node's clock (env AUTH_CLOCK_SKEW_SECONDS). Default: ${DEFAULT-VALUE}")
    public int authClockSkewSeconds;

    @Option(names = "--auth-jwt-issuer", defaultValue = "${env:AUTH_JWT_ISSUER:-}",
            description = "If set, a token's iss must be this (env AUTH_JWT_ISSUER). Default: any")
    public String authJwtIssuer;

    @Option(names = "--auth-jwt-audience", defaultValue = "${env:AUTH_JWT_AUDIENCE:-}",
            description = "If set, a token's aud must include this (env AUTH_JWT_AUDIENCE). Default: any")
    public String authJwtAudience;

    @Option(names = "--redis-user", defaultValue = "${env:REDIS_USER:-}",
            description = "The Redis ACL user (with --redis-password); blank: the default user (env REDIS_USER). Default: none")
    public String redisUser;

    @Option(names = "--redis-password", defaultValue = "${env:REDIS_PASSWORD:-}",
            description = "The Redis password (requirepass, or the ACL user's); prefer the environment variable to the flag (env REDIS_PASSWORD). Default: none")
    public String redisPassword;

    @Option(names = "--log-format", defaultValue = "${env:LOG_FORMAT:-text}",
            description = "Log lines on stderr: text (a timestamp, level, node id, thread, logger, message) or json (one JSON object a line, the node id under context.properties.node) (env LOG_FORMAT). Default: ${DEFAULT-VALUE}")
    public String logFormat;

    @Option(names = "--redis-ca-file", defaultValue = "${env:REDIS_CA_FILE:-}",
            description = "For a rediss:// URL: a PEM file of the CA certificates to trust; blank: the JDK's trust store (env REDIS_CA_FILE). Default: none")
    public String redisCaFile;

    @Option(names = "--admin-token", defaultValue = "${env:ADMIN_TOKEN:-}",
            description = "Opens the read-only admin page /admin to requests that send it (the header Authorization: Bearer TOKEN); unset, the page is off in a cluster, and on the embedded node open when it listens on loopback only, else off; prefer the environment variable to the flag (env ADMIN_TOKEN). Default: none")
    public String adminToken;

    /** The shortest {@code --admin-token} taken: a token guessable by brute force opens the page to anyone. */
    public static final int MIN_ADMIN_TOKEN_CHARS = 16;

    /** The allowed range of every number setting: checked by {@link #validate}, listed in docs/configuration.md. */
    public record Range(String flag, java.util.function.ToLongFunction<NodeConfig> value, long min, long max) {
        void check(NodeConfig config) {
            requireRange(flag, value.applyAsLong(config), min, max);
        }
    }

    public static final List<Range> RANGES = List.of(
            new Range("--port", config -> config.port, 0, 65535),
            new Range("--max-frame-bytes", config -> config.maxFrameBytes, 64, 16 * 1024 * 1024),
            new Range("--max-inputs-per-second", config -> config.maxInputsPerSecond, 1, 10_000),
            new Range("--max-emits-per-second", config -> config.maxEmitsPerSecond, 1, 10_000),
            new Range("--max-players-per-room", config -> config.maxPlayersPerRoom, 1, 10_000),
            new Range("--max-rooms-per-node", config -> config.maxRoomsPerNode, 1, 1_000_000),
            new Range("--max-rooms-per-session", config -> config.maxRoomsPerSession, 1, 1_000),
            new Range("--tick-rate", config -> config.tickRate, 0, 1000),
            new Range("--tick-phases", config -> config.tickPhases, 1, TickGrid.MAX_PHASES),
            new Range("--io-threads", config -> config.ioThreads, 0, 1024),
            new Range("--send-queue-bytes", config -> config.sendQueueBytes, 1024, 1 << 30),
            new Range("--handshake-timeout-ms", config -> config.handshakeTimeoutMs, 100, 600_000),
            new Range("--seat-grace-ms", config -> config.seatGraceMs, 0, 3_600_000),
            new Range("--max-sessions", config -> config.maxSessions, 1, 10_000_000),
            new Range("--drain-timeout-ms", config -> config.drainTimeoutMs, 0, 600_000),
            new Range("--lease-ms", config -> config.leaseMs, 300, 600_000),
            new Range("--snapshot-every-ticks", config -> config.snapshotEveryTicks, 1, 100_000),
            new Range("--join-timeout-ms", config -> config.joinTimeoutMs, 100, 600_000),
            new Range("--input-lead-ms", config -> config.inputLeadMs, 1, 1_000),
            new Range("--empty-room-ms", config -> config.emptyRoomMs, 100, 86_400_000),
            new Range("--room-stall-ms", config -> config.roomStallMs, 100, 600_000),
            new Range("--room-queue-max", config -> config.roomQueueMax, 16, 1_000_000),
            new Range("--slow-consumer-ms", config -> config.slowConsumerMs, 100, 600_000),
            new Range("--request-timeout-ms", config -> config.requestTimeoutMs, 100, 600_000),
            new Range("--max-connections", config -> config.maxConnections, 1, 10_000_000),
            new Range("--max-connections-per-ip", config -> config.maxConnectionsPerIp, 1, 10_000_000),
            new Range("--max-handshakes-per-ip-per-second", config -> config.maxHandshakesPerIpPerSecond, 1, 100_000),
            new Range("--auth-clock-skew-seconds", config -> config.authClockSkewSeconds, 0, 3600));

    /** Checks every value; a bad one is a clear error at start, not a surprise later. */
    public NodeConfig validate() {
        for (Range range : RANGES) {
            range.check(this);
        }
        if (redisCaFile != null && !redisCaFile.isBlank() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(redisCaFile))) {
            throw new IllegalArgumentException("--redis-ca-file cannot be read: " + redisCaFile);
        }
        if (logFormat == null || !logFormat.matches("text|json")) {
            throw new IllegalArgumentException("--log-format must be text or json, was " + logFormat);
        }
        if (auth == null || !auth.strip().matches("auto|open|jwt")) {
            throw new IllegalArgumentException("--auth must be auto, open or jwt, was " + auth);
        }
        boolean hasSecret = authJwtSecret != null && !authJwtSecret.isBlank();
        if (auth.strip().equals("jwt") && !hasSecret) {
            throw new IllegalArgumentException("--auth jwt needs --auth-jwt-secret (or AUTH_JWT_SECRET)");
        }
        if (hasSecret && authJwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                < io.roomcast.gateway.auth.JwtAuthenticator.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("--auth-jwt-secret must be at least "
                    + io.roomcast.gateway.auth.JwtAuthenticator.MIN_SECRET_BYTES + " bytes (HMAC-SHA256)");
        }
        if (adminToken != null && !adminToken.isBlank()
                && (adminToken.strip().length() < MIN_ADMIN_TOKEN_CHARS || !adminToken.strip().matches("\\p{Graph}+"))) {
            throw new IllegalArgumentException("--admin-token must be at least " + MIN_ADMIN_TOKEN_CHARS
                    + " printable characters, no spaces (it goes in an HTTP header)");
        }
        try {
            io.roomcast.gateway.ws.WsEndpoint.validateOrigins(allowedOrigins);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--allowed-origins: " + e.getMessage(), e);
        }
        try {
            io.roomcast.gateway.http.ClientAddresses.trusting(trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--trusted-proxies: " + e.getMessage(), e);
        }
        if (redisUrl != null && !redisUrl.isBlank() && !redisUrl.matches("rediss?://.+")) {
            throw new IllegalArgumentException("--redis-url must look like redis://host:port, was " + io.roomcast.gateway.cluster.redis.RedisSecurity.redact(redisUrl));
        }
        if (gameNames().isEmpty()) {
            throw new IllegalArgumentException("--games must name at least one of " + String.join(", ", BundledGames.names()));
        }
        try {
            BundledGames.named(gameNames());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--games: " + e.getMessage(), e);
        }
        if (nodeId == null || nodeId.isBlank()) {
            // 64 random bits: two nodes sharing an id would share an inbox.
            nodeId = "node-" + java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextLong());
        } else if (!nodeId.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("--node-id must be 1..64 of [A-Za-z0-9_.-], was " + nodeId);
        }
        return this;
    }

    /** True for the embedded single node (no Redis): a developer's demo, with its friendlier defaults. */
    public boolean embedded() {
        return redisUrl == null || redisUrl.isBlank();
    }

    /** The names in {@link #games}, trimmed, blanks left out. */
    public List<String> gameNames() {
        return games == null ? List.of() : Arrays.stream(games.split(",")).map(String::strip).filter(name -> !name.isEmpty()).toList();
    }

    /** A config with every default, as if started with no flags and no environment. */
    public static NodeConfig defaults() {
        NodeConfig config = new NodeConfig();
        new picocli.CommandLine(config).parseArgs();
        return config;
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
        }
    }
}
