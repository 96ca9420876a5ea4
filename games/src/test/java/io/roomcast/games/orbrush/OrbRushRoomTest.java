package io.roomcast.games.orbrush;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.core.testing.FakeClock;
import io.roomcast.core.testing.FakeNode;
import io.roomcast.core.testing.FakeRoomContext;
import io.roomcast.core.testing.FakeScheduler;
import io.roomcast.core.testing.RecordingRoomOutput;
import io.roomcast.core.testing.ScriptedRandom;
import io.roomcast.core.testing.StateAssembler;
import io.roomcast.proto.cluster.RoomSnapshot;
import io.roomcast.proto.games.demo.Avatar;
import io.roomcast.proto.games.demo.DemoEntity;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.games.demo.Orb;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.SeatInput;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.roomcast.core.testing.ScriptedRandom.unitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrbRushRoomTest {

    private static DemoInput stick(double dx, double dy) {
        return DemoInput.newBuilder().setDx((float) dx).setDy((float) dy).build();
    }

    private static Map<Integer, DemoEntity> stateOf(OrbRushRoom room) {
        Map<Integer, DemoEntity> entities = new TreeMap<>();
        room.writeState((id, data) -> entities.put(id, (DemoEntity) data));
        return entities;
    }

    private static Avatar avatar(OrbRushRoom room, int seat) {
        return stateOf(room).get(seat).getAvatar();
    }

    private static List<Orb> orbs(OrbRushRoom room) {
        return stateOf(room).values().stream().filter(DemoEntity::hasOrb).map(DemoEntity::getOrb).toList();
    }

    /** The unit values that make the next orb appear at (x, y). */
    private static double[] orbAt(double x, double y) {
        return new double[] {
            unitFor(x, 30, OrbRushRoom.WIDTH - 30), unitFor(y, 30, OrbRushRoom.HEIGHT - 30)
        };
    }

    @Nested
    class Rules {

        private final OrbRushRoom room = new OrbRushRoom();
        private FakeRoomContext ctx = new FakeRoomContext(20, new SplittableRandom(1));

        private void steps(int ticks) {
            for (int i = 0; i < ticks; i++) {
                ctx.step(room);
            }
        }

        @Test
        void avatarsSpawnAtTheirSeatsPointWithTheirNameAndASeatColor() {
            ctx.join(room, "p0", "Ada", 0);
            ctx.join(room, "p1", "Bo", 1);
            ctx.join(room, "p9", "Cy", 9);

            Avatar first = avatar(room, 0);
            assertEquals(List.of(80f, 120f, 0f, 0f, 0), List.of(first.getX(), first.getY(), first.getVx(), first.getVy(), first.getScore()));
            assertEquals("Ada", first.getName());
            assertEquals(List.of(190f, 120f), List.of(avatar(room, 1).getX(), avatar(room, 1).getY()));
            assertEquals(List.of(190f, 520f), List.of(avatar(room, 9).getX(), avatar(room, 9).getY()));
            assertNotEquals(first.getColor(), avatar(room, 1).getColor());
            assertEquals(9, avatar(room, 9).getSeat());
        }

        @Test
        void anInputSetsTheVelocityUntilTheNextInput() {
            Player player = ctx.join(room, "p0", "Ada", 0);

            ctx.input(room, player, stick(1, 0));
            steps(1);
            assertEquals(List.of(90f, 120f, 200f, 0f), position(0));
            steps(1);
            assertEquals(List.of(100f, 120f, 200f, 0f), position(0), "no new input: still moving");

            ctx.input(room, player, stick(0, 1));
            ctx.input(room, player, stick(0, -0.5));
            steps(1);
            assertEquals(List.of(100f, 115f, 0f, -100f), position(0), "the latest input wins");
        }

        @Test
        void aStickLongerThanOneMovesAtFullSpeedAndAShorterOneSlower() {
            Player player = ctx.join(room, "p0", "Ada", 0);

            ctx.input(room, player, stick(3, 4));
            assertEquals(List.of(120f, 160f), velocity(0));
            ctx.input(room, player, stick(0.25, -0.5));
            assertEquals(List.of(50f, -100f), velocity(0));
            ctx.input(room, player, stick(Double.NaN, 1));
            assertEquals(List.of(0f, 200f), velocity(0), "a non-finite component counts as 0");
        }

        @Test
        void avatarsStayInsideTheWorldAndKeepTheirVelocity() {
            Player player = ctx.join(room, "p0", "Ada", 0);

            ctx.input(room, player, stick(-1, 0));
            steps(20);
            assertEquals(List.of(20f, 120f, -200f, 0f), position(0));

            ctx.input(room, player, stick(1, 1));
            steps(200);
            Avatar avatar = avatar(room, 0);
            assertEquals(OrbRushRoom.WIDTH - OrbRushRoom.RADIUS, avatar.getX());
            assertEquals(OrbRushRoom.HEIGHT - OrbRushRoom.RADIUS, avatar.getY());
            assertTrue(avatar.getVx() > 0 && avatar.getVy() > 0);
        }

        @Test
        void anOrbAppearsEveryTenTicksUntilThereAreEight() {
            List<Integer> orbCounts = new ArrayList<>();
            for (int tick = 1; tick <= 200; tick++) {
                ctx.step(room);
                orbCounts.add(orbs(room).size());
            }

            assertEquals(0, orbCounts.get(8), "after tick 9");
            assertEquals(1, orbCounts.get(9), "after tick 10");
            assertEquals(1, orbCounts.get(18), "after tick 19");
            assertEquals(2, orbCounts.get(19), "after tick 20");
            assertEquals(8, orbCounts.get(79), "after tick 80");
            assertEquals(8, orbCounts.getLast(), "after tick 200");
            Map<Integer, DemoEntity> state = stateOf(room);
            assertEquals(List.of(1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007), List.copyOf(state.keySet()));
            for (Orb orb : orbs(room)) {
                assertTrue(orb.getX() >= 30 && orb.getX() <= 930 && orb.getY() >= 30 && orb.getY() <= 610, orb.toString());
                assertEquals(1, orb.getValue());
            }
        }

        @Test
        void anAvatarCollectsAnOrbCloserThanTheSumOfTheirRadii() {
            ctx = new FakeRoomContext(20, new ScriptedRandom(orbAt(150, 120)));
            Player player = ctx.join(room, "p0", "Ada", 0);                   // at (80, 120)
            steps(10);
            assertEquals(1, orbs(room).size());

            ctx.input(room, player, stick(1, 0));
            steps(4);
            assertEquals(List.of(120f, 120f, 200f, 0f), position(0));
            assertEquals(1, orbs(room).size(), "exactly 30 apart: not touching");
            steps(1);
            assertEquals(List.of(), orbs(room));
            assertEquals(1, avatar(room, 0).getScore());
        }

        @Test
        void whenTwoAvatarsReachAnOrbInTheSameTickTheLowerSeatScores() {
            ctx = new FakeRoomContext(20, new ScriptedRandom(orbAt(135, 120)));
            Player right = ctx.join(room, "p1", "Bo", 1);                     // at (190, 120)
            Player left = ctx.join(room, "p0", "Ada", 0);                     // at (80, 120)
            steps(10);

            ctx.input(room, left, stick(1, 0));
            ctx.input(room, right, stick(-1, 0));
            steps(3);                                                         // both 25 away

            assertEquals(List.of(), orbs(room));
            assertEquals(1, avatar(room, 0).getScore());
            assertEquals(0, avatar(room, 1).getScore());
        }

        @Test
        void aLeavingPlayersAvatarDisappears() {
            ctx.join(room, "p0", "Ada", 0);
            Player leaving = ctx.join(room, "p1", "Bo", 1);

            room.onLeave(ctx, leaving, LeaveCause.REQUESTED);

            assertEquals(List.of(0), List.copyOf(stateOf(room).keySet()));
        }

        private List<Float> position(int seat) {
            Avatar avatar = avatar(room, seat);
            return List.of(avatar.getX(), avatar.getY(), avatar.getVx(), avatar.getVy());
        }

        private List<Float> velocity(int seat) {
            Avatar avatar = avatar(room, seat);
            return List.of(avatar.getVx(), avatar.getVy());
        }
    }

    @Nested
    class Takeover {

        /** By seat. */
        private static final List<String> PLAYERS = List.of("ada", "bo", "cy");

        private int seq;

        private static Map<Integer, DemoEntity> stateOf(RoomSnapshot snapshot) throws InvalidProtocolBufferException {
            Map<Integer, DemoEntity> entities = new TreeMap<>();
            for (Entity entity : snapshot.getEntitiesList()) {
                entities.put(entity.getId(), DemoEntity.parseFrom(entity.getData()));
            }
            return entities;
        }

        /**
         * Each player steers for the orb nearest to it in the room's state (that of the first
         * node), and each node gets the same inputs, as the gateway would forward them.
         */
        @SafeVarargs
        private void steer(FakeNode<DemoInput>... nodes) throws InvalidProtocolBufferException {
            seq++;
            Collection<DemoEntity> state = stateOf(nodes[0].runtime().snapshot()).values();
            List<Orb> orbs = state.stream().filter(DemoEntity::hasOrb).map(DemoEntity::getOrb).toList();
            List<Avatar> avatars = state.stream().filter(DemoEntity::hasAvatar).map(DemoEntity::getAvatar).toList();
            for (Avatar avatar : avatars) {
                orbs.stream().min(Comparator.comparingDouble(orb -> distance(avatar, orb))).ifPresent(orb -> {
                    ByteString input = stick(orb.getX() - avatar.getX(), orb.getY() - avatar.getY()).toByteString();
                    for (FakeNode<DemoInput> node : nodes) {
                        node.runtime().offerInput(PLAYERS.get(avatar.getSeat()), seq, input);
                    }
                });
            }
        }

        private static double distance(Avatar avatar, Orb orb) {
            return Math.hypot(orb.getX() - avatar.getX(), orb.getY() - avatar.getY());
        }

        /**
         * 63 ticks of three players chasing orbs, and a chat: each has scored once, three of the
         * six orbs that appeared are left (1002, 1003 and 1005).
         */
        private RoomSnapshot played(FakeNode<DemoInput> node) throws InvalidProtocolBufferException {
            for (String playerId : PLAYERS) {
                node.runtime().join(playerId, playerId.toUpperCase());
            }
            for (int tick = 1; tick <= 63; tick++) {
                steer(node);
                node.ticks(1);
            }
            node.runtime().emit("ada", "chat", ByteString.copyFromUtf8("gg"), null);
            return node.runtime().snapshot();
        }

        @Test
        void aRoomTakenOverFromItsSnapshotCarriesOnWhereItLeftOff() throws InvalidProtocolBufferException {
            FakeNode<DemoInput> first = FakeNode.withNewRoom("orbs", OrbRushRoom.TYPE, 42);
            RoomSnapshot snapshot = played(first);
            Map<Integer, DemoEntity> saved = stateOf(snapshot);
            assertEquals(List.of(1, 1, 1), saved.values().stream().filter(DemoEntity::hasAvatar)
                    .map(entity -> entity.getAvatar().getScore()).toList(), "the script exercises scores");
            assertEquals(List.of(0, 1, 2, 1002, 1003, 1005), List.copyOf(saved.keySet()));

            FakeNode<DemoInput> second = FakeNode.takingOver(snapshot, OrbRushRoom.TYPE, 7);

            assertEquals(snapshot, second.runtime().snapshot(), "the state, seats, input seqs and event log as saved");
            for (int tick = 64; tick <= 69; tick++) {
                steer(first, second);
                first.ticks(1);
                second.ticks(1);
                assertEquals(first.runtime().snapshot(), second.runtime().snapshot(), "tick " + tick);
            }
            State firstState = second.output().roomStates().getFirst();
            assertEquals(64, firstState.getTick());
            assertTrue(firstState.getKeyframe());

            second.ticks(1);
            Set<Integer> ids = stateOf(second.runtime().snapshot()).keySet();
            assertTrue(ids.contains(1006), "tick 70 brings an orb, numbered on from the highest saved: " + ids);
        }

        @Test
        void playersKeepTheirInputSeqsAndTheEventLogItsOffsetsAcrossATakeover() throws InvalidProtocolBufferException {
            RoomSnapshot snapshot = played(FakeNode.withNewRoom("orbs", OrbRushRoom.TYPE, 42));
            FakeNode<DemoInput> second = FakeNode.takingOver(snapshot, OrbRushRoom.TYPE, 7);
            RoomRuntime<DemoInput> runtime = second.runtime();

            runtime.offerInput("ada", 63, stick(1, 0).toByteString());  // applied on the first node
            runtime.offerInput("bo", 64, stick(1, 0).toByteString());
            second.ticks(1);

            assertEquals(1, runtime.discardedInputs());
            Map<Integer, DemoEntity> state = stateOf(runtime.snapshot());
            assertEquals(stateOf(snapshot).get(0).getAvatar().getVx(), state.get(0).getAvatar().getVx());
            assertEquals(200f, state.get(1).getAvatar().getVx());
            assertEquals(List.of(applied(0, 63), applied(1, 64), applied(2, 63)),
                    second.output().roomStates().getFirst().getAppliedList());

            assertEquals(snapshot.getRecentEventsList(),
                    runtime.eventsAfter(0).stream().map(ByteString::copyFrom).toList());
            runtime.emit("bo", "chat", ByteString.copyFromUtf8("gl"), null);
            assertEquals(List.of(1L, 2L), runtime.eventsAfter(0).stream()
                    .map(frame -> RecordingRoomOutput.decode(frame).getEvent().getOffset()).toList());
        }

        private static SeatInput applied(int seat, int seq) {
            return SeatInput.newBuilder().setSeat(seat).setSeq(seq).build();
        }
    }

    @Nested
    class Determinism {

        /** One room on its own fake clock, played by a seeded script of joins, leaves and inputs. */
        private static RecordingRoomOutput play(long roomSeed) {
            FakeClock clock = new FakeClock();
            FakeScheduler scheduler = new FakeScheduler(clock);
            RecordingRoomOutput output = new RecordingRoomOutput();
            RoomRuntime<DemoInput> runtime = new RoomRuntime<>("orbs", OrbRushRoom.TYPE,
                    OrbRushRoom.TYPE.settings(), clock, scheduler, output, roomSeed);
            SplittableRandom script = new SplittableRandom(99);
            List<String> players = new ArrayList<>();
            runtime.start();
            for (int tick = 1, seq = 1; tick <= 600; tick++) {
                if (tick % 100 == 1) {
                    String playerId = "player-" + tick;
                    runtime.join(playerId, playerId);
                    players.add(playerId);
                }
                if (tick == 450) {
                    runtime.leave(players.removeFirst(), LeaveCause.REQUESTED);
                }
                for (String playerId : players) {
                    if (script.nextInt(5) == 0) {
                        ByteString input = stick(script.nextDouble(-1, 1), script.nextDouble(-1, 1)).toByteString();
                        runtime.offerInput(playerId, seq++, input);
                    }
                }
                scheduler.advance(Duration.ofMillis(50));
            }
            return output;
        }

        @Test
        void twoRoomsWithTheSameSeedAndInputsSendByteIdenticalStates() throws InvalidProtocolBufferException {
            List<byte[]> first = play(42).roomFrames().stream().map(RecordingRoomOutput.RoomFrame::bytes).toList();
            List<byte[]> second = play(42).roomFrames().stream().map(RecordingRoomOutput.RoomFrame::bytes).toList();

            assertEquals(600, first.size());
            assertEquals(first.size(), second.size());
            for (int i = 0; i < first.size(); i++) {
                assertArrayEquals(first.get(i), second.get(i), "frame " + i);
            }
            assertTrue(collectedAnOrb(play(42)), "the script exercises orb collection");
        }

        @Test
        void anotherSeedPlacesTheOrbsElsewhere() {
            State keyframe = play(42).roomStates().get(99);
            assertTrue(keyframe.getKeyframe());
            assertNotEquals(keyframe.getEntitiesList(), play(43).roomStates().get(99).getEntitiesList());
        }

        private static boolean collectedAnOrb(RecordingRoomOutput output) throws InvalidProtocolBufferException {
            StateAssembler viewer = new StateAssembler();
            boolean scored = false;
            for (State state : output.roomStates()) {
                if (viewer.apply(state)) {
                    for (ByteString data : viewer.entities().values()) {
                        DemoEntity entity = DemoEntity.parseFrom(data);
                        scored |= entity.hasAvatar() && entity.getAvatar().getScore() > 0;
                    }
                }
            }
            assertTrue(viewer.hasBase());
            assertFalse(viewer.entities().isEmpty());
            return scored;
        }
    }
}
