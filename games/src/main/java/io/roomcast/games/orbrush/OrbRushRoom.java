package io.roomcast.games.orbrush;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomContext;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.room.StateWriter;
import io.roomcast.proto.games.demo.Avatar;
import io.roomcast.proto.games.demo.DemoEntity;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.games.demo.Orb;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * "Orb Rush", the browser demo: players steer avatars around a walled arena and collect the
 * orbs that appear. An input sets the avatar's velocity until the next input. The public
 * constants are mirrored by the browser client, which predicts its own avatar.
 *
 * <p>Threading: a {@link Room}: called on the room's thread only.
 */
public final class OrbRushRoom implements Room<DemoInput> {

    public static final double WIDTH = 960;
    public static final double HEIGHT = 640;
    /** Avatar radius; avatars stay fully inside the world. */
    public static final double RADIUS = 20;
    /** Avatar speed at full stick, in units per second. */
    public static final double SPEED = 200;
    public static final double ORB_RADIUS = 10;
    public static final int MAX_ORBS = 8;
    public static final int ORB_EVERY_TICKS = 10;
    /** Orb entity ids count up from here; avatar entity ids are seat numbers. */
    public static final int FIRST_ORB_ID = 1000;

    public static final RoomType<DemoInput> TYPE = new RoomType<>("orb-rush", OrbRushRoom::new,
            DemoInput.parser(), RoomSettings.DEFAULTS.withMaxPlayers(16).withTickRateHz(20).withKeyframeEveryTicks(100));

    private static final int[] PALETTE = {
        0xE6194B, 0x3CB44B, 0xFFE119, 0x4363D8, 0xF58231, 0x911EB4, 0x46F0F0, 0xF032E6
    };
    private static final double ORB_MARGIN = 30;

    // The state is kept in the wire messages themselves (floats), so clients see exactly what
    // the server simulates. Seat order makes collection ties go to the lower seat.
    private final Map<Integer, Avatar.Builder> avatarsBySeat = new TreeMap<>();
    private final List<OrbAt> orbs = new ArrayList<>();
    private int nextOrbId = FIRST_ORB_ID;

    private record OrbAt(int id, DemoEntity entity) {}

    /** Avatars and orbs as they were; new orbs get ids above the highest one there. */
    @Override
    public void onRestore(RoomContext ctx, Map<Integer, ByteString> entities) {
        entities.forEach((id, data) -> {
            DemoEntity entity = parse(id, data);
            if (entity.hasAvatar()) {
                avatarsBySeat.put(entity.getAvatar().getSeat(), entity.getAvatar().toBuilder());
            } else {
                orbs.add(new OrbAt(id, entity));
                nextOrbId = Math.max(nextOrbId, id + 1);
            }
        });
    }

    @Override
    public void onJoin(RoomContext ctx, Player player) {
        int seat = player.seat();
        // Clamped: with more than 16 seats configured, the spawn rows would leave the world.
        avatarsBySeat.put(seat, Avatar.newBuilder()
                .setSeat(seat)
                .setName(player.name())
                .setX((float) clamp(80 + (seat % 8) * 110, RADIUS, WIDTH - RADIUS))
                .setY((float) clamp(120 + (seat / 8) * 400, RADIUS, HEIGHT - RADIUS))
                .setColor(PALETTE[seat % PALETTE.length]));
    }

    @Override
    public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {
        avatarsBySeat.remove(player.seat());
    }

    @Override
    public void onInput(RoomContext ctx, Player player, DemoInput input) {
        double dx = finiteOrZero(input.getDx());
        double dy = finiteOrZero(input.getDy());
        // sqrt, unlike hypot, rounds the same in Java and JavaScript: the client predicts with it.
        double length = Math.sqrt(dx * dx + dy * dy);
        if (length > 1) {
            dx /= length;
            dy /= length;
        }
        avatarsBySeat.get(player.seat()).setVx((float) (dx * SPEED)).setVy((float) (dy * SPEED));
    }

    @Override
    public void onTick(RoomContext ctx) {
        double dt = ctx.tickSeconds();
        for (Avatar.Builder avatar : avatarsBySeat.values()) {
            avatar.setX((float) clamp(avatar.getX() + avatar.getVx() * dt, RADIUS, WIDTH - RADIUS));
            avatar.setY((float) clamp(avatar.getY() + avatar.getVy() * dt, RADIUS, HEIGHT - RADIUS));
        }
        for (Avatar.Builder avatar : avatarsBySeat.values()) {
            collectOrbs(avatar);
        }
        if (ctx.tick() % ORB_EVERY_TICKS == 0 && orbs.size() < MAX_ORBS) {
            spawnOrb(ctx.random());
        }
    }

    @Override
    public void writeState(StateWriter out) {
        for (Avatar.Builder avatar : avatarsBySeat.values()) {
            out.entity(avatar.getSeat(), DemoEntity.newBuilder().setAvatar(avatar).build());
        }
        for (OrbAt orb : orbs) {
            out.entity(orb.id(), orb.entity());
        }
    }

    private void collectOrbs(Avatar.Builder avatar) {
        for (Iterator<OrbAt> it = orbs.iterator(); it.hasNext(); ) {
            Orb orb = it.next().entity().getOrb();
            double dx = avatar.getX() - orb.getX();
            double dy = avatar.getY() - orb.getY();
            if (dx * dx + dy * dy < (RADIUS + ORB_RADIUS) * (RADIUS + ORB_RADIUS)) {
                avatar.setScore(avatar.getScore() + orb.getValue());
                it.remove();
            }
        }
    }

    private void spawnOrb(RandomGenerator random) {
        Orb orb = Orb.newBuilder()
                .setX((float) random.nextDouble(ORB_MARGIN, WIDTH - ORB_MARGIN))
                .setY((float) random.nextDouble(ORB_MARGIN, HEIGHT - ORB_MARGIN))
                .setValue(1)
                .build();
        orbs.add(new OrbAt(nextOrbId++, DemoEntity.newBuilder().setOrb(orb).build()));
    }

    private static DemoEntity parse(int id, ByteString data) {
        try {
            return DemoEntity.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("entity " + id + " is not a DemoEntity", e);
        }
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }

    private static double finiteOrZero(float value) {
        return Float.isFinite(value) ? value : 0;
    }
}
