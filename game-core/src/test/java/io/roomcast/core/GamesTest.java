package io.roomcast.core;

import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GamesTest {

    @Test
    void theDemoTheBenchArenaAndFourInARowAreBuiltIn() {
        Map<String, RoomSettings> settingsByName = Games.builtIn().stream()
                .collect(Collectors.toMap(RoomType::name, RoomType::settings));

        assertEquals(List.of("orb-rush", "bench-arena", "four-in-a-row"), Games.builtIn().stream().map(RoomType::name).toList());
        assertEquals(List.of(16, 20, 100), shape(settingsByName.get("orb-rush")));
        assertEquals(List.of(8, 20, 100), shape(settingsByName.get("bench-arena")));
        assertEquals(List.of(2, 10, 50), shape(settingsByName.get("four-in-a-row")));
    }

    private static List<Integer> shape(RoomSettings settings) {
        return List.of(settings.maxPlayers(), settings.tickRateHz(), settings.keyframeEveryTicks());
    }
}
