package io.roomcast.gateway;

import io.roomcast.games.fourinarow.FourInARowRoom;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.games.fourinarow.Board;
import io.roomcast.proto.v1.Error;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.NamedRoom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Join options on one real node: what quick-join matches on, and which options are refused. */
class JoinOptionsTest {

    private Node node;

    @BeforeEach
    void startNode() {
        node = TestNodes.start();
    }

    @AfterEach
    void stopNode() {
        node.stop();
    }

    private TestClient player(String name) throws Exception {
        TestClient client = TestClient.connect(node.port());
        client.hello(name);
        return client;
    }

    @Test
    void twoRankedQuickJoinsMeetInOneRoomAndACasualOneGetsAnother() throws Exception {
        try (TestClient ann = player("ann"); TestClient ben = player("ben");
             TestClient cal = player("cal"); TestClient dan = player("dan")) {
            Joined annJoined = ann.quickJoin("four-in-a-row", Map.of("mode", "ranked"));
            Joined benJoined = ben.quickJoin("four-in-a-row", Map.of("mode", "ranked", "colour", "red"));
            Joined calJoined = cal.quickJoin("four-in-a-row", Map.of("mode", "casual"));
            Joined danJoined = dan.quickJoin("four-in-a-row");

            String ranked = annJoined.getRoomId();
            assertEquals(ranked, benJoined.getRoomId(), "the same mode; the option the game does not filter by plays no part");
            assertNotEquals(ranked, calJoined.getRoomId(), "another mode, another room");
            assertNotEquals(ranked, danJoined.getRoomId(), "no mode is a mode of its own");
            assertNotEquals(calJoined.getRoomId(), danJoined.getRoomId());
            assertEquals("ranked", board(benJoined).getMode(), "the room shows the mode it was created with");
            assertEquals("casual", board(calJoined).getMode());
            assertEquals("", board(danJoined).getMode());
        }
    }

    @Test
    void joinOrCreateGivesANewNamedRoomTheOptionsAndJoiningItIgnoresThem() throws Exception {
        try (TestClient ann = player("ann"); TestClient ben = player("ben");
             TestClient cal = player("cal"); TestClient dan = player("dan")) {
            Joined created = ann.joinOrCreate("table-1", "four-in-a-row", Map.of("mode", "ranked"));
            assertEquals("table-1", created.getRoomId());
            assertEquals("ranked", board(created).getMode());
            assertEquals("table-1", ben.quickJoin("four-in-a-row", Map.of("mode", "ranked")).getRoomId(),
                    "quick-join finds the named room under its mode");

            cal.joinOrCreate("table-2", "four-in-a-row", Map.of("mode", "casual"));
            Joined joined = dan.joinOrCreate("table-2", "four-in-a-row", Map.of("mode", "ranked"));
            assertEquals("table-2", joined.getRoomId());
            assertEquals("casual", board(joined).getMode(), "the room is as its creator made it");
        }
    }

    private static Board board(Joined joined) throws Exception {
        return Board.parseFrom(joined.getKeyframe().getEntitiesList().stream()
                .filter(e -> e.getId() == FourInARowRoom.BOARD_ID).findFirst().orElseThrow().getData());
    }

    @Test
    void aGameThatFiltersByNothingMatchesWhateverTheOptions() throws Exception {
        try (TestClient ann = player("ann"); TestClient ben = player("ben")) {
            String room = ann.quickJoin("bench-arena", Map.of("mode", "ranked")).getRoomId();
            assertEquals(room, ben.quickJoin("bench-arena", Map.of("mode", "casual", "map", "dunes")).getRoomId());
        }
    }

    @Test
    void badOptionsAreRefusedWithInvalidArgumentAndTheSessionCanJoinAfterwards() throws Exception {
        Map<String, String> seventeen = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            seventeen.put("o" + i, "v");
        }
        try (TestClient ann = player("ann")) {
            assertRefused(ann, Join.newBuilder().setGameType("four-in-a-row").putAllOptions(seventeen), "a join has at most 16 options");
            assertRefused(ann, Join.newBuilder().setGameType("four-in-a-row").putOptions("", "x"), "an option name is 1..32");
            assertRefused(ann, Join.newBuilder().setGameType("four-in-a-row").putOptions("a b", "x"), "an option name is 1..32");
            assertRefused(ann, Join.newBuilder().setGameType("four-in-a-row").putOptions("k".repeat(33), "x"), "an option name is 1..32");
            assertRefused(ann, Join.newBuilder().setGameType("four-in-a-row").putOptions("mode", "v".repeat(65)),
                    "option 'mode': a value is 0..64 printable characters");
            assertRefused(ann, Join.newBuilder().setNamed(NamedRoom.newBuilder().setRoomId("table").setGameType("four-in-a-row"))
                    .putOptions("mode", "line\nbreak"), "option 'mode': a value is 0..64 printable characters");
            assertRefused(ann, Join.newBuilder().setRoomId("any").putOptions("mode", "tab\t"), "option 'mode'");

            // At the limits it is fine; and the refused joins gave their room slots back (4 a session).
            Map<String, String> sixteen = new HashMap<>();
            for (int i = 0; i < 14; i++) {
                sixteen.put("o" + i, "v");
            }
            sixteen.put("K.e-y_" + "k".repeat(26), "");
            sixteen.put("long", "é".repeat(64));
            ann.quickJoin("bench-arena", sixteen);
        }
    }

    private static void assertRefused(TestClient client, Join.Builder join, String messageStart) throws Exception {
        Error error = client.joinRefused(join.build());
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.getCode(), error.getMessage());
        assertTrue(error.getMessage().startsWith(messageStart), error.getMessage());
    }
}
