package io.roomcast.gateway.testing;

import io.roomcast.core.room.Admission;
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

import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Room types that only tests host ({@link TestNodes#startWith}): games that misbehave on purpose
 * (a slow admission, a stuck tick), as a buggy game would in production. Inputs are parsed as
 * {@link DemoInput} (tests cannot add protobufs) and ignored; the state is one avatar entity per
 * seat, so states are not empty.
 */
public final class TestGames {

    /** How long {@link #SLOW_JOIN} deliberates over a player whose name starts with "slow". */
    public static final long SLOW_ADMISSION_MS = 5_500;

    /**
     * "slow-join": admits at once, except players named "slow..." whose admission takes
     * {@link #SLOW_ADMISSION_MS} (longer than a gateway waits for a join reply, 5 s), and refuses
     * players named "banned...".
     */
    public static final RoomType<DemoInput> SLOW_JOIN = new RoomType<>("slow-join", SlowJoinRoom::new,
            DemoInput.parser(), RoomSettings.DEFAULTS.withMaxPlayers(8));

    /**
     * "stall-once": a room whose {@code onTick} blocks, once per JVM after {@link #armStall()},
     * until {@link #releaseStall()}: a game stuck in an endless loop or a blocking call.
     */
    public static final RoomType<DemoInput> STALL_ONCE = new RoomType<>("stall-once", StallOnceRoom::new,
            DemoInput.parser(), RoomSettings.DEFAULTS.withMaxPlayers(8));

    /** "flood": one 8 KiB entity that changes every tick: every state is big (a reader that stalls falls behind fast). */
    public static final RoomType<DemoInput> FLOOD = new RoomType<>("flood", FloodRoom::new,
            DemoInput.parser(), RoomSettings.DEFAULTS.withMaxPlayers(8));

    public static final List<RoomType<?>> ALL = List.of(SLOW_JOIN, STALL_ONCE, FLOOD);

    private static final AtomicBoolean STALL_ARMED = new AtomicBoolean();
    private static final AtomicReference<CountDownLatch> STALL_RELEASE = new AtomicReference<>(new CountDownLatch(0));
    private static final AtomicReference<String> STALLED_ROOM = new AtomicReference<>();

    private TestGames() {}

    /** The next {@link #STALL_ONCE} room to tick, on any node of this JVM, blocks in that tick. */
    public static void armStall() {
        STALLED_ROOM.set(null);
        STALL_RELEASE.set(new CountDownLatch(1));
        STALL_ARMED.set(true);
    }

    /** The room stuck in its tick, if one took the armed stall; null otherwise. */
    public static String stalledRoom() {
        return STALLED_ROOM.get();
    }

    /** Disarms, and lets a stuck tick return. */
    public static void releaseStall() {
        STALL_ARMED.set(false);
        STALL_RELEASE.get().countDown();
    }

    /** Avatars by seat, as entities; nothing else. */
    private abstract static class SeatsRoom implements Room<DemoInput> {
        private final TreeMap<Integer, Avatar> avatars = new TreeMap<>();

        @Override
        public void onJoin(RoomContext ctx, Player player) {
            avatars.put(player.seat(), Avatar.newBuilder().setSeat(player.seat()).setName(player.name()).build());
        }

        @Override
        public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {
            avatars.remove(player.seat());
        }

        @Override
        public void writeState(StateWriter out) {
            avatars.forEach((seat, avatar) -> out.entity(seat, DemoEntity.newBuilder().setAvatar(avatar).build()));
        }
    }

    private static final class SlowJoinRoom extends SeatsRoom {
        @Override
        public Admission onJoinAttempt(RoomContext ctx, Player player) {
            if (player.name().startsWith("banned")) {
                return Admission.reject("banned players are not admitted");
            }
            if (player.name().startsWith("slow")) {
                try {
                    Thread.sleep(SLOW_ADMISSION_MS); // what Room's contract forbids: here, on purpose
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Admission.accept();
        }
    }

    private static final class StallOnceRoom extends SeatsRoom {
        @Override
        public void onTick(RoomContext ctx) {
            if (STALL_ARMED.compareAndSet(true, false)) {
                STALLED_ROOM.set(ctx.roomId());
                try {
                    // Bounded, so a test that forgets to release cannot hold a worker forever.
                    STALL_RELEASE.get().await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static final class FloodRoom extends SeatsRoom {
        private final byte[] noise = new byte[8 * 1024];
        private long ticks;

        @Override
        public void onTick(RoomContext ctx) {
            ticks++;
        }

        @Override
        public void writeState(StateWriter out) {
            super.writeState(out);
            java.util.Arrays.fill(noise, (byte) ticks);
            out.entity(1000, com.google.protobuf.BytesValue.of(com.google.protobuf.ByteString.copyFrom(noise)));
        }
    }
}
