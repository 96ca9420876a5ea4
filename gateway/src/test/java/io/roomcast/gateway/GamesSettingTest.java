package io.roomcast.gateway;

import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.games.BundledGames;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GAMES setting: the room types a node offers, among the bundled ones. */
class GamesSettingTest {

    @Test
    void byDefaultANodeOffersEveryBundledGame() {
        NodeConfig config = NodeConfig.defaults().validate();
        assertEquals(Set.copyOf(BundledGames.names()), Set.copyOf(config.gameNames()));
        assertEquals(List.of("orb-rush", "four-in-a-row", "bench-arena", "bench-broadcast"), config.gameNames());
    }

    @Test
    void theFlagTakesACommaSeparatedList() {
        NodeConfig config = new NodeConfig();
        new CommandLine(config).parseArgs("--games", " four-in-a-row, bench-arena ,");
        assertEquals(List.of("four-in-a-row", "bench-arena"), config.validate().gameNames());
    }

    @Test
    void aNodeWithFourInARowOnlyAnswersAQuickJoinOfOrbRushWithUnknownGame() throws Exception {
        Node node = TestNodes.start(config -> config.games = "four-in-a-row");
        try (TestClient client = TestClient.connect(node.port())) {
            client.hello("alice");
            client.send(ClientFrame.newBuilder().setRequestId(5).setJoin(Join.newBuilder().setGameType("orb-rush")).build());
            var error = client.await(ServerFrame::hasError).getError();
            assertEquals(ErrorCode.UNKNOWN_GAME, error.getCode());
            assertEquals(5, error.getRequestId());
            assertTrue(error.getMessage().contains("four-in-a-row"), error.getMessage());
            assertFalse(client.isClosed(), "the socket stays open");
            assertFalse(client.quickJoin("four-in-a-row").getRoomId().isEmpty(), "the game it offers is still there");
        } finally {
            node.stop();
        }
    }

    @Test
    void anUnknownNameFailsValidationNamingItAndTheKnownOnes() {
        NodeConfig config = NodeConfig.defaults();
        config.games = "four-in-a-row,chess-9000";
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, config::validate);
        assertTrue(error.getMessage().startsWith("--games"), error.getMessage());
        assertTrue(error.getMessage().contains("'chess-9000'"), error.getMessage());
        for (String known : BundledGames.names()) {
            assertTrue(error.getMessage().contains(known), error.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> TestNodes.start(c -> c.games = "chess-9000"),
                "a node does not start with it");
    }

    @Test
    void anEmptyListFailsValidation() {
        NodeConfig config = NodeConfig.defaults();
        config.games = " , ";
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, config::validate);
        assertTrue(error.getMessage().contains("--games must name at least one of orb-rush"), error.getMessage());
    }
}
