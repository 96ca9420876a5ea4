package io.roomcast.games.arena;

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
import io.roomcast.proto.games.arena.ArenaEntity;
import io.roomcast.proto.games.arena.ArenaInput;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.SeatInput;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static io.roomcast.core.testing.ScriptedRandom.unitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchArenaRoomTest {

    private final BenchArenaRoom room = new BenchArenaRoom();

    private static ArenaInput stick(double dx, double dy) {
        return ArenaInput.newBuilder().setDx((float) dx).setDy((float) dy).build();
    }

    /** A context whose random source places the first player's entity at (x, y). */
    private static FakeRoomContext spawningAt(double x, double y) {
        return new FakeRoomContext(20, new ScriptedRandom(unitFor(x, 0, 1000), unitFor(y, 0, 1000)));
    }

    private ArenaEntity entity(int seat) {
        ArenaEntity[] found = new ArenaEntity[1];
        room.writeState((id, data) -> {
            if (id == seat) {
                found[0] = (ArenaEntity) data;
            }
        });
        return found[0];
    }

    private List<Float> motion(int seat) {
        ArenaEntity entity = entity(seat);
        return List.of(entity.getX(), entity.getY(), entity.getVx(), entity.getVy());
    }

    @Test
    void anInputSetsTheVelocityToTheStickTimesOneHundredTwenty() {
        FakeRoomContext ctx = spawningAt(500, 500);
        Player player = ctx.join(room, "p", "P", 0);

        ctx.input(room, player, stick(0.5, -1));
        ctx.step(room);

        assertEquals(List.of(503f, 494f, 60f, -120f), motion(0));
    }

    @Test
    void stickComponentsAreClampedToPlusMinusOne() {
        FakeRoomContext ctx = spawningAt(500, 500);
        Player player = ctx.join(room, "p", "P", 0);

        ctx.input(room, player, stick(2, -3));
        assertEquals(List.of(120f, -120f), motion(0).subList(2, 4));
        ctx.input(room, player, stick(Double.NaN, 0.25));
        assertEquals(List.of(0f, 30f), motion(0).subList(2, 4));
    }

    @Test
    void entitiesReflectOffTheBorders() {
        FakeRoomContext ctx = spawningAt(990, 5);
        Player player = ctx.join(room, "p", "P", 0);
        ctx.input(room, player, stick(1, -1));

        ctx.step(room);
        assertEquals(List.of(996f, 1f, 120f, 120f), motion(0), "y mirrored back inside from -1");
        ctx.step(room);
        assertEquals(List.of(998f, 7f, -120f, 120f), motion(0), "x mirrored back inside from 1002");
        ctx.step(room);
        assertEquals(List.of(992f, 13f, -120f, 120f), motion(0));
    }

    @Test
    void eachEntityEchoesItsPlayersLastAppliedInputSeq() throws InvalidProtocolBufferException {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        RecordingRoomOutput output = new RecordingRoomOutput();
        RoomRuntime<ArenaInput> runtime = new RoomRuntime<>("arena", BenchArenaRoom.TYPE,
                BenchArenaRoom.TYPE.settings(), clock, scheduler, output, 5);
        runtime.start();
        runtime.join("alice", "Alice");
        runtime.join("bob", "Bob");
        StateAssembler viewer = new StateAssembler();
        viewer.apply(RecordingRoomOutput.decode(runtime.rejoinFrame("alice")).getJoined().getKeyframe());

        runtime.offerInput("alice", 1, stick(1, 0).toByteString());
        runtime.offerInput("alice", 2, stick(0, 1).toByteString());
        runtime.offerInput("bob", 10, stick(1, 1).toByteString());
        scheduler.advance(Duration.ofMillis(50));
        runtime.offerInput("alice", 1, stick(-1, 0).toByteString()); // stale: dropped
        runtime.offerInput("alice", 3, stick(0, -1).toByteString());
        scheduler.advance(Duration.ofMillis(50));

        List<State> states = output.roomStates();
        assertTrue(viewer.apply(states.get(0)));
        assertEquals(List.of(2, 10), lastSeqs(viewer));
        assertEquals(List.of(seatInput(0, 2), seatInput(1, 10)), states.get(0).getAppliedList());
        assertTrue(viewer.apply(states.get(1)));
        assertEquals(List.of(3, 10), lastSeqs(viewer));
        assertEquals(List.of(seatInput(0, 3), seatInput(1, 10)), states.get(1).getAppliedList());
        assertEquals(-120f, ArenaEntity.parseFrom(viewer.entities().get(0)).getVy());
    }

    @Test
    void aRoomTakenOverFromItsSnapshotCarriesOnWhereItLeftOff() throws InvalidProtocolBufferException {
        FakeNode<ArenaInput> first = FakeNode.withNewRoom("arena", BenchArenaRoom.TYPE, 5);
        RoomRuntime<ArenaInput> runtime = first.runtime();
        runtime.join("alice", "Alice");
        runtime.join("bob", "Bob");
        runtime.join("carol", "Carol");
        runtime.leave("bob", LeaveCause.REQUESTED);
        SplittableRandom script = new SplittableRandom(3);
        for (int tick = 1; tick <= 30; tick++) {
            runtime.offerInput("alice", tick, stick(script.nextDouble(-1, 1), script.nextDouble(-1, 1)).toByteString());
            if (tick % 4 == 0) {
                runtime.offerInput("carol", 100 + tick, stick(script.nextDouble(-1, 1), 1).toByteString());
            }
            first.ticks(1);
        }
        runtime.emit("carol", "hello", ByteString.copyFromUtf8("hi"), null);
        RoomSnapshot snapshot = runtime.snapshot();

        FakeNode<ArenaInput> second = FakeNode.takingOver(snapshot, BenchArenaRoom.TYPE, 6);

        assertEquals(snapshot, second.runtime().snapshot(), "the state, seats, input seqs and event log as saved");
        for (int tick = 31; tick <= 60; tick++) {
            first.ticks(1);
            second.ticks(1);
            assertEquals(first.runtime().snapshot(), second.runtime().snapshot(), "tick " + tick);
        }
        State firstState = second.output().roomStates().getFirst();
        assertEquals(31, firstState.getTick());
        assertTrue(firstState.getKeyframe());

        second.runtime().offerInput("alice", 30, stick(-1, -1).toByteString());  // applied on the first node
        second.runtime().offerInput("carol", 129, stick(-1, -1).toByteString());
        second.ticks(1);
        assertEquals(1, second.runtime().discardedInputs());
        RoomSnapshot now = second.runtime().snapshot();
        assertEquals(List.of(30, 129), List.of(entity(now, 0).getLastSeq(), entity(now, 2).getLastSeq()));
        assertEquals(-120f, entity(now, 2).getVx());

        assertEquals(snapshot.getRecentEventsList(),
                second.runtime().eventsAfter(0).stream().map(ByteString::copyFrom).toList());
        second.runtime().emit("alice", "hello", ByteString.copyFromUtf8("back"), null);
        assertEquals(2, second.output().roomEvents().getLast().getOffset());
    }

    private static ArenaEntity entity(RoomSnapshot snapshot, int id) throws InvalidProtocolBufferException {
        for (Entity entity : snapshot.getEntitiesList()) {
            if (entity.getId() == id) {
                return ArenaEntity.parseFrom(entity.getData());
            }
        }
        throw new AssertionError("no entity " + id);
    }

    private static List<Integer> lastSeqs(StateAssembler viewer) throws InvalidProtocolBufferException {
        return List.of(ArenaEntity.parseFrom(viewer.entities().get(0)).getLastSeq(),
                ArenaEntity.parseFrom(viewer.entities().get(1)).getLastSeq());
    }

    private static SeatInput seatInput(int seat, int seq) {
        return SeatInput.newBuilder().setSeat(seat).setSeq(seq).build();
    }
}
