package io.roomcast.benchmarks;

import com.google.protobuf.MessageLite;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.games.arena.BenchArenaRoom;
import io.roomcast.games.orbrush.OrbRushRoom;
import io.roomcast.proto.games.arena.ArenaInput;
import io.roomcast.proto.games.demo.DemoInput;

import java.util.Base64;
import java.util.SplittableRandom;

/**
 * A bundled game as the benchmarks drive it: its room type and, per seat, the input that keeps
 * that player moving every tick. The stick direction flips every {@link #FLIP_EVERY_TICKS}
 * ticks; Orb Rush avatars start towards the middle, so they swing 200 units back and forth and
 * never rest against a wall (an avatar at rest would drop out of the deltas).
 */
record Game<I extends MessageLite>(RoomType<I> type, Inputs<I> inputs) {

    /** 1 s at 20 Hz. */
    static final int FLIP_EVERY_TICKS = 20;

    interface Inputs<I> {
        /** @param sign +1 or -1: the phase of the back-and-forth swing */
        I input(int seat, int sign);
    }

    static final Game<DemoInput> ORB_RUSH = new Game<>(OrbRushRoom.TYPE, (seat, sign) -> {
        // Seats 0..3 spawn left of the middle, 4..7 right of it (x = 80 + (seat % 8) * 110).
        int towardsMiddle = seat % 8 < 4 ? 1 : -1;
        return DemoInput.newBuilder().setDx(towardsMiddle * sign).setDy(0).build();
    });

    static final Game<ArenaInput> BENCH_ARENA = new Game<>(BenchArenaRoom.TYPE, (seat, sign) ->
            // Entities reflect off the borders, so any direction keeps them moving.
            ArenaInput.newBuilder().setDx(sign).setDy(seat % 2 == 0 ? 0.5f * sign : -0.5f * sign).build());

    /** The sign of the swing during {@code tick}: +1, then -1 after 20 ticks, and so on. */
    static int sign(long tick) {
        return (tick / FLIP_EVERY_TICKS) % 2 == 0 ? 1 : -1;
    }

    /** The game's own settings, with room for {@code players} and the keyframe cadence asked for. */
    RoomSettings settings(int players, int keyframeEveryTicks) {
        return type.settings().withMaxPlayers(Math.max(players, type.settings().maxPlayers()))
                .withKeyframeEveryTicks(keyframeEveryTicks);
    }

    /**
     * A benchmark parameter such as {@code orb-rush-32}: the game and the number of players.
     */
    record Case(Game<?> game, int players) {
        static Case parse(String spec) {
            int dash = spec.lastIndexOf('-');
            String name = spec.substring(0, dash);
            int players = Integer.parseInt(spec.substring(dash + 1));
            Game<?> game = switch (name) {
                case "orb-rush" -> ORB_RUSH;
                case "bench-arena" -> BENCH_ARENA;
                default -> throw new IllegalArgumentException("unknown game " + name);
            };
            return new Case(game, players);
        }
    }

    /** A player id shaped like the gateway's: 9 random bytes, base64url, 12 characters. */
    static String playerId(SplittableRandom random) {
        byte[] raw = new byte[9];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
