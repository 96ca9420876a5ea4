package io.roomcast.games.arena;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomContext;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.room.StateWriter;
import io.roomcast.proto.games.arena.ArenaEntity;
import io.roomcast.proto.games.arena.ArenaInput;

import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * "Bench arena", the W2 benchmark room: each player is a point in a square world moving at
 * the velocity its latest input set, reflecting off the borders. Each entity echoes the seq of
 * its player's last applied input, from which load generators measure input-to-visible latency.
 *
 * <p>Threading: a {@link Room}: called on the room's thread only.
 */
public final class BenchArenaRoom implements Room<ArenaInput> {

    public static final double SIZE = 1000;
    /** Speed per input unit, in units per second. */
    public static final double SPEED = 120;

    public static final RoomType<ArenaInput> TYPE = new RoomType<>("bench-arena", BenchArenaRoom::new,
            ArenaInput.parser(), RoomSettings.DEFAULTS.withMaxPlayers(8).withTickRateHz(20).withKeyframeEveryTicks(100));

    private final Map<Integer, ArenaEntity.Builder> entitiesBySeat = new TreeMap<>();

    /** Each player's entity as it was, last applied seq included. */
    @Override
    public void onRestore(RoomContext ctx, Map<Integer, ByteString> entities) {
        entities.forEach((id, data) -> {
            ArenaEntity entity = parse(id, data);
            entitiesBySeat.put(entity.getSeat(), entity.toBuilder());
        });
    }

    @Override
    public void onJoin(RoomContext ctx, Player player) {
        RandomGenerator random = ctx.random();
        entitiesBySeat.put(player.seat(), ArenaEntity.newBuilder()
                .setSeat(player.seat())
                .setX((float) random.nextDouble(SIZE))
                .setY((float) random.nextDouble(SIZE)));
    }

    @Override
    public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {
        entitiesBySeat.remove(player.seat());
    }

    @Override
    public void onInput(RoomContext ctx, Player player, ArenaInput input) {
        entitiesBySeat.get(player.seat())
                .setVx((float) (unit(input.getDx()) * SPEED))
                .setVy((float) (unit(input.getDy()) * SPEED))
                .setLastSeq((int) ctx.lastInputSeq(player));
    }

    @Override
    public void onTick(RoomContext ctx) {
        double dt = ctx.tickSeconds();
        for (ArenaEntity.Builder entity : entitiesBySeat.values()) {
            double x = entity.getX() + entity.getVx() * dt;
            if (x < 0 || x > SIZE) {
                entity.setX((float) reflect(x)).setVx(-entity.getVx());
            } else {
                entity.setX((float) x);
            }
            double y = entity.getY() + entity.getVy() * dt;
            if (y < 0 || y > SIZE) {
                entity.setY((float) reflect(y)).setVy(-entity.getVy());
            } else {
                entity.setY((float) y);
            }
        }
    }

    @Override
    public void writeState(StateWriter out) {
        for (ArenaEntity.Builder entity : entitiesBySeat.values()) {
            out.entity(entity.getSeat(), entity.build());
        }
    }

    private static ArenaEntity parse(int id, ByteString data) {
        try {
            return ArenaEntity.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("entity " + id + " is not an ArenaEntity", e);
        }
    }

    /** Mirrors a coordinate that left the world across the border it crossed. */
    private static double reflect(double coordinate) {
        return coordinate < 0 ? -coordinate : 2 * SIZE - coordinate;
    }

    /** Clamped to -1..1; not-a-number counts as 0. */
    private static double unit(float value) {
        return Float.isNaN(value) ? 0 : Math.max(-1, Math.min(1, value));
    }
}
