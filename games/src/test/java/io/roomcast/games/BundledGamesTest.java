package io.roomcast.games;

import com.google.protobuf.ByteString;
import io.roomcast.core.room.EventDecision;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.testing.FakeRoomContext;
import io.roomcast.games.broadcast.BroadcastRoom;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BundledGamesTest {

    @Test
    void theDemoTheBenchRoomsAndFourInARowAreBuiltIn() {
        Map<String, RoomSettings> settingsByName = BundledGames.all().stream()
                .collect(Collectors.toMap(RoomType::name, RoomType::settings));

        assertEquals(List.of("orb-rush", "bench-arena", "four-in-a-row", "bench-broadcast"),
                BundledGames.all().stream().map(RoomType::name).toList());
        assertEquals(List.of(16, 20, 100), shape(settingsByName.get("orb-rush")));
        assertEquals(List.of(8, 20, 100), shape(settingsByName.get("bench-arena")));
        assertEquals(List.of(2, 10, 50), shape(settingsByName.get("four-in-a-row")));
        assertEquals(List.of(10_000, 1, 100), shape(settingsByName.get("bench-broadcast")));
    }

    @Test
    void aNodeCanPickSomeOfThemByNameInItsOwnOrder() {
        assertEquals(List.of("four-in-a-row", "orb-rush"),
                BundledGames.named(List.of("four-in-a-row", "orb-rush", "four-in-a-row")).stream().map(RoomType::name).toList());
        assertEquals(BundledGames.names(), BundledGames.named(BundledGames.names()).stream().map(RoomType::name).toList());
        assertEquals(List.of(), BundledGames.named(List.of()));
    }

    @Test
    void anUnknownNameFailsNamingItAndTheKnownOnes() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BundledGames.named(List.of("orb-rush", "chess-9000")));
        assertTrue(error.getMessage().contains("'chess-9000'"), error.getMessage());
        assertTrue(error.getMessage().contains("orb-rush, bench-arena, four-in-a-row, bench-broadcast"), error.getMessage());
    }

    @Test
    void theBroadcastRoomRelaysEveryEventAndHasNoState() {
        BroadcastRoom room = new BroadcastRoom();
        FakeRoomContext ctx = new FakeRoomContext(BroadcastRoom.TICK_RATE_HZ, new SplittableRandom(1));
        room.onCreate(ctx);
        Player publisher = ctx.join(room, "p", "publisher", 0);
        ctx.join(room, "s", "subscriber", 1);
        ctx.step(room);

        List<Integer> entities = new ArrayList<>();
        room.writeState((id, data) -> entities.add(id));
        EventDecision decision = room.onEvent(ctx, publisher, null, "tick", ByteString.copyFromUtf8("payload"));

        assertEquals(List.of(), entities);
        assertInstanceOf(EventDecision.Relay.class, decision);
    }

    private static List<Integer> shape(RoomSettings settings) {
        return List.of(settings.maxPlayers(), settings.tickRateHz(), settings.keyframeEveryTicks());
    }
}
