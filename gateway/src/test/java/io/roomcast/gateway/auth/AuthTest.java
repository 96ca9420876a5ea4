package io.roomcast.gateway.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.roomcast.core.room.Admission;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomContext;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.room.StateWriter;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.gateway.ws.CloseCodes;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Error;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hellos checked by the node's authenticator: signed tokens in, everything else out with 4004. */
class AuthTest {

    static final String SECRET = "a-test-secret-of-at-least-32-bytes!!";

    /** Every player a "whoami" room was asked to admit. */
    static final List<Player> ADMISSIONS = new CopyOnWriteArrayList<>();

    static final RoomType<DemoInput> WHOAMI = new RoomType<>("whoami", () -> new Room<DemoInput>() {
        @Override
        public Admission onJoinAttempt(RoomContext ctx, Player player) {
            ADMISSIONS.add(player);
            return Admission.accept();
        }

        @Override
        public void onJoin(RoomContext ctx, Player player) {}

        @Override
        public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {}

        @Override
        public void writeState(StateWriter out) {}
    }, DemoInput.parser(), RoomSettings.DEFAULTS.withMaxPlayers(4));

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.stop();
        }
    }

    private void startClosedNode() {
        node = TestNodes.startWith(List.of(WHOAMI), config -> config.authJwtSecret = SECRET);
    }

    /** What a game's login server does: sign the player's id and name, valid for a while. */
    static String mint(String secret, JWSAlgorithm alg, String playerId, String name, Instant expires) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(playerId).claim("name", name)
                .expirationTime(Date.from(expires)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static String valid(String playerId, String name) throws Exception {
        return mint(SECRET, JWSAlgorithm.HS256, playerId, name, Instant.now().plusSeconds(600));
    }

    private static ClientFrame hello(String name, String token) {
        return ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName(name)
                .setAuthToken(token)).build();
    }

    private Error refused(String token) throws Exception {
        try (TestClient client = TestClient.connect(node.port())) {
            client.send(hello("someone", token));
            ServerFrame answer = client.await(f -> f.hasError() || f.hasWelcome());
            assertTrue(answer.hasError(), "refused: " + answer);
            assertEquals(CloseCodes.UNAUTHORIZED, client.awaitClose());
            return answer.getError();
        }
    }

    @Test
    void aValidTokenJoinsWithTheClaimedIdentityAndTheGameSeesIt() throws Exception {
        startClosedNode();
        ADMISSIONS.clear();
        try (TestClient client = TestClient.connect(node.port())) {
            client.send(hello("whatever-i-say", valid("player-42", "Ada")));
            Welcome welcome = client.await(ServerFrame::hasWelcome).getWelcome();
            assertEquals("player-42", welcome.getSessionId(), "the session is the verified player");
            assertEquals("player-42", client.quickJoin("whoami").getPlayerId());
            Player seen = ADMISSIONS.getLast();
            assertEquals("player-42", seen.id());
            assertEquals("Ada", seen.name(), "the name from the token, not the Hello");
        }
    }

    @Test
    void expiredForgedUnsignedOtherAlgorithmAndMissingTokensAreRefusedWith4004() throws Exception {
        startClosedNode();
        Instant later = Instant.now().plusSeconds(600);
        String expired = mint(SECRET, JWSAlgorithm.HS256, "p", "P", Instant.now().minusSeconds(120));
        String wrongKey = mint("another-secret-that-is-32-bytes-long!", JWSAlgorithm.HS256, "p", "P", later);
        String hs512 = mint(SECRET + SECRET, JWSAlgorithm.HS512, "p", "P", later);
        String claims = valid("p", "P").split("\\.")[1];
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "." + claims + ".";
        String tampered = valid("p", "P").split("\\.")[0] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString("{\"sub\":\"admin\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8))
                + "." + valid("p", "P").split("\\.")[2];
        for (String token : new String[] {expired, wrongKey, hs512, none, tampered, "not.a.jwt", ""}) {
            Error error = refused(token);
            assertEquals(ErrorCode.UNAUTHORIZED, error.getCode(), token);
            assertFalse(error.getMessage().contains("Exception") || error.getMessage().contains("nimbus"),
                    "no internal detail: " + error.getMessage());
        }
        assertEquals(7, node.metrics().authRefused.sum());
    }

    @Test
    void aTokenWithinTheClockSkewIsStillGood() throws Exception {
        startClosedNode();
        try (TestClient client = TestClient.connect(node.port())) {
            client.send(hello("x", mint(SECRET, JWSAlgorithm.HS256, "late", "Late", Instant.now().minusSeconds(10))));
            assertEquals("late", client.await(ServerFrame::hasWelcome).getWelcome().getSessionId());
        }
    }

    @Test
    void aPlayersSecondConnectionTakesTheSessionAndItsSeatsOver() throws Exception {
        startClosedNode();
        String token = valid("twice", "Twice");
        try (TestClient first = TestClient.connect(node.port()); TestClient second = TestClient.connect(node.port())) {
            first.send(hello("x", token));
            first.await(ServerFrame::hasWelcome);
            String room = first.quickJoin("whoami").getRoomId();
            second.send(hello("x", token));
            Welcome welcome = second.await(ServerFrame::hasWelcome).getWelcome();
            assertEquals("twice", welcome.getSessionId());
            assertTrue(welcome.getResumed(), "the same session");
            assertEquals(room, second.await(ServerFrame::hasJoined).getJoined().getRoomId(), "with its seat");
            assertEquals(CloseCodes.SESSION_REPLACED, first.awaitClose());
        }
    }

    @Test
    void theEmbeddedNodeIsOpenByDefaultAndNeedsNoToken() throws Exception {
        node = TestNodes.start(config -> {});
        try (TestClient a = TestClient.connect(node.port()); TestClient b = TestClient.connect(node.port())) {
            String idA = a.hello("same-name").getSessionId();
            String idB = b.hello("same-name").getSessionId();
            assertFalse(idA.equals(idB), "open: every session is its own player");
            a.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setGameType("orb-rush")).build());
            assertTrue(a.await(ServerFrame::hasJoined).hasJoined());
        }
    }

    @Test
    void theSettingsPickTheAuthenticator() {
        NodeConfig embedded = NodeConfig.defaults();
        assertFalse(Authenticators.fromConfig(embedded.validate()) instanceof JwtAuthenticator, "embedded: open");
        NodeConfig withSecret = NodeConfig.defaults();
        withSecret.authJwtSecret = SECRET;
        assertInstanceOf(JwtAuthenticator.class, Authenticators.fromConfig(withSecret.validate()));
        NodeConfig clusterWithoutSecret = NodeConfig.defaults();
        clusterWithoutSecret.redisUrl = "redis://127.0.0.1:1";
        assertFalse(Authenticators.fromConfig(clusterWithoutSecret.validate()) instanceof JwtAuthenticator, "open, said loudly");
        NodeConfig jwtWithoutSecret = NodeConfig.defaults();
        jwtWithoutSecret.auth = "jwt";
        assertThrows(IllegalArgumentException.class, jwtWithoutSecret::validate);
        NodeConfig shortSecret = NodeConfig.defaults();
        shortSecret.authJwtSecret = "short";
        assertThrows(IllegalArgumentException.class, shortSecret::validate);
    }

    @Test
    void aPluggedVerifierSeesTheHelloTheAddressAndTheOrigin() throws Exception {
        List<Authenticator.Attempt> attempts = new CopyOnWriteArrayList<>();
        Authenticator custom = attempt -> {
            attempts.add(attempt);
            return attempt.token().equals("let-me-in")
                    ? new Authenticator.Accepted(new Identity("custom-1", attempt.playerName()))
                    : new Authenticator.Refused("ask the lobby for a ticket");
        };
        NodeConfig config = NodeConfig.defaults();
        config.host = "127.0.0.1";
        config.port = 0;
        node = new Node(config, io.roomcast.games.BundledGames.all(), io.roomcast.core.loop.Clock.SYSTEM, custom).start();
        try (TestClient client = TestClient.connect(node.port())) {
            client.send(hello("Bea", "let-me-in"));
            assertEquals("custom-1", client.await(ServerFrame::hasWelcome).getWelcome().getSessionId());
        }
        assertEquals("ask the lobby for a ticket", refused("nope").getMessage());
        Authenticator.Attempt first = attempts.getFirst();
        assertEquals("Bea", first.playerName());
        assertEquals("127.0.0.1", first.remoteAddress().getHostAddress());
        assertEquals(null, first.origin(), "the JDK client sends no Origin");
    }
}
