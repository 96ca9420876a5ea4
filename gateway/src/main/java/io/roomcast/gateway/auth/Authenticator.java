package io.roomcast.gateway.auth;

import java.net.InetAddress;

/**
 * Decides who a connecting client is, from its {@code Hello}. A node has one; a game's server
 * plugs its own by passing it to {@code Node} (docs/operations.md, "Security").
 *
 * <p>Threading: called on the connection's I/O thread, once per {@code Hello} that is not a
 * resume, so it must answer at once and never block: verify a signature or look in memory, do
 * not call a remote service (a verifier that needs one keeps a cache filled elsewhere).
 * Thread-safe: many I/O threads call it at once.
 */
@FunctionalInterface
public interface Authenticator {

    /** What the client sent and where from. */
    record Attempt(
            /** {@code Hello.auth_token}, "" when none was sent. */
            String token,
            /** {@code Hello.player_name}, stripped; already checked (1..32 printable characters). */
            String playerName,
            /** The client's address (behind a trusted proxy: from its X-Forwarded-For); null if unknown. */
            InetAddress remoteAddress,
            /** The upgrade's {@code Origin} header, null for a client that sent none. */
            String origin) {}

    /** The answer: a player, or a refusal. */
    sealed interface Verdict permits Accepted, Refused {}

    /**
     * The player is {@code identity}: its id becomes the session's id, which rooms see as
     * {@code Player.id()} (in {@code onJoinAttempt} and everywhere else).
     */
    record Accepted(Identity identity) implements Verdict {}

    /**
     * Refused: the client gets {@code Error UNAUTHORIZED} with {@code reason} and the socket
     * closes with 4004. The reason goes to the client: say what to fix, never why inside
     * (no key names, no exception text).
     */
    record Refused(String reason) implements Verdict {}

    Verdict verify(Attempt attempt);
}
