package io.roomcast.gateway.cluster;

import io.roomcast.gateway.cluster.RoomDirectory.RoomEntry;
import io.roomcast.gateway.cluster.local.LocalRoomDirectory;
import io.roomcast.gateway.cluster.redis.RedisConnections;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.cluster.redis.RedisRoomDirectory;
import io.roomcast.gateway.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Quick-join's view of the rooms: the fullest open room of a game under one filter key, in both implementations. */
class RoomDirectoryTest {

    private static final String RANKED = RoomDirectory.filterKey(List.of("mode"), Map.of("mode", "ranked"));
    private static final String CASUAL = RoomDirectory.filterKey(List.of("mode"), Map.of("mode", "casual"));

    @Test
    void theFilterKeyHoldsTheFilteredOptionsInFilterByOrderAndNothingElse() {
        assertEquals("", RoomDirectory.filterKey(List.of(), Map.of("mode", "ranked")), "a game that filters by nothing");
        assertEquals("mode=ranked\nregion=eu",
                RoomDirectory.filterKey(List.of("mode", "region"), Map.of("region", "eu", "mode", "ranked", "x", "y")));
        assertEquals("region=eu\nmode=ranked",
                RoomDirectory.filterKey(List.of("region", "mode"), Map.of("region", "eu", "mode", "ranked")));
        assertEquals("mode=\nregion=eu", RoomDirectory.filterKey(List.of("mode", "region"), Map.of("region", "eu")),
                "an option not given is the empty value");
        assertEquals("", RoomDirectory.filterKey(List.of("mode", "region"), Map.of("mode", "")),
                "no filtered option given: the key of a game that filters by nothing");
        assertNotEquals(RoomDirectory.filterKey(List.of("a", "b"), Map.of("a", "1\nb=2", "b", "3")),
                RoomDirectory.filterKey(List.of("a", "b"), Map.of("a", "1", "b", "2\nb=3")), "no two values make one key");
    }

    /** The same contract for the single node's map and for Redis. */
    abstract static class Contract {

        abstract RoomDirectory directory();

        private Optional<RoomEntry> find(String game, String filterKey) {
            return directory().findJoinable(game, filterKey).toCompletableFuture().join();
        }

        private void publish(String room, String game, String filterKey, int free) {
            directory().publish(new RoomEntry(room, game, filterKey, free)).toCompletableFuture().join();
        }

        @Test
        void quickJoinFindsOnlyRoomsOfItsFilterKeyTheFullestFirst() {
            publish("r1", "g", RANKED, 3);
            publish("r2", "g", RANKED, 1);
            publish("c1", "g", CASUAL, 1);
            publish("n1", "g", "", 1);
            publish("o1", "other", RANKED, 1);

            assertEquals(Optional.of(new RoomEntry("r2", "g", RANKED, 1)), find("g", RANKED));
            assertEquals("c1", find("g", CASUAL).orElseThrow().roomId());
            assertEquals("n1", find("g", "").orElseThrow().roomId());
            assertEquals(Optional.empty(), find("g", RoomDirectory.filterKey(List.of("mode"), Map.of("mode", "cup"))));

            publish("r2", "g", RANKED, 0);
            assertEquals("r1", find("g", RANKED).orElseThrow().roomId(), "a full room is not offered");
        }

        @Test
        void aRemovedRoomIsNotOfferedWhetherOrNotTheCallerKnowsItsGameAndFilterKey() {
            publish("r1", "g", RANKED, 1);
            publish("r2", "g", RANKED, 1);
            publish("r3", "g", RANKED, 2);

            directory().remove("r1", "g", RANKED).toCompletableFuture().join();
            assertEquals("r2", find("g", RANKED).orElseThrow().roomId());
            directory().remove("r2", "g", null).toCompletableFuture().join();
            assertEquals("r3", find("g", RANKED).orElseThrow().roomId());
            directory().remove("r3", null, null).toCompletableFuture().join();
            assertEquals(Optional.empty(), find("g", RANKED));
        }
    }

    @Nested
    class Local extends Contract {
        private final LocalRoomDirectory directory = new LocalRoomDirectory();

        @Override
        RoomDirectory directory() {
            return directory;
        }
    }

    private static RedisServer redis;
    private static RedisConnections connections;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
        connections = new RedisConnections(redis.url(), false, (channel, message) -> {});
    }

    @AfterAll
    static void stopRedis() throws Exception {
        connections.close();
        redis.close();
    }

    @Nested
    class Redis extends Contract {
        private final RedisRoomDirectory directory = new RedisRoomDirectory(connections, 1000);

        @BeforeEach
        void flush() {
            redis.command("FLUSHALL");
        }

        @Override
        RoomDirectory directory() {
            return directory;
        }

        @Test
        void aGameThatFiltersByNothingKeepsItsKeysAsTheyWere() {
            directory.publish(new RoomEntry("r1", "g", "", 2)).toCompletableFuture().join();

            assertEquals(List.of("rc:{game:g}:open", "rc:{room:r1}:info"), keys());
            assertEquals(RedisKeys.openRooms("g"), RedisKeys.openRooms("g", ""));
            assertEquals(List.of("free", "game"), fields("rc:{room:r1}:info"), "no filter field");
        }

        @Test
        void eachFilterKeyHasItsOpenSetOnTheGamesSlotAndTheEntryNamesIt() {
            directory.publish(new RoomEntry("r1", "g", RANKED, 2)).toCompletableFuture().join();

            String open = RedisKeys.openRooms("g", RANKED);
            assertEquals("rc:{game:g}:open:bW9kZT1yYW5rZWQ", open, "base64url of mode=ranked");
            assertEquals(List.of(open, "rc:{room:r1}:info"), keys());
            assertEquals(RANKED, redis.command("HGET", "rc:{room:r1}:info", "filter"));
            assertTrue(RedisKeys.openRooms("g", "mode=a b/c+{x}").matches("rc:\\{game:g}:open:[A-Za-z0-9_-]+"),
                    "any value makes a plain key name, with the game's hash tag the only braces");

            directory.remove("r1", null, null).toCompletableFuture().join();
            assertEquals(List.of(), keys());
        }

        private static List<String> keys() {
            return ((List<?>) redis.command("KEYS", "rc:*")).stream().map(Object::toString).sorted().toList();
        }

        private static List<String> fields(String hash) {
            return ((List<?>) redis.command("HKEYS", hash)).stream().map(Object::toString).sorted().toList();
        }
    }
}
