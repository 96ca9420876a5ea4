package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import io.roomcast.core.room.Admission;
import io.roomcast.core.room.EventDecision;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomContext;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.room.StateWriter;
import io.roomcast.core.testing.FakeClock;
import io.roomcast.core.testing.FakeScheduler;
import io.roomcast.core.testing.RecordingRoomOutput;
import io.roomcast.core.testing.RecordingRoomOutput.Removal;
import io.roomcast.core.testing.RecordingRoomOutput.RoomFrame;
import io.roomcast.core.testing.StateAssembler;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.SeatInput;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoomRuntimeTest {

    private static final Duration TICK = Duration.ofMillis(50);
    /** 3 seats, 20 Hz, a keyframe every 100 ticks, 4 queued inputs, 3 logged events. */
    private static final RoomSettings SETTINGS = new RoomSettings(3, 20, 100, 4, 3, 5);

    private final FakeClock clock = new FakeClock();
    private final FakeScheduler scheduler = new FakeScheduler(clock);
    private final RecordingRoomOutput output = new RecordingRoomOutput();
    private final ScriptedRoom room = new ScriptedRoom();
    private final RoomRuntime<StringValue> runtime = new RoomRuntime<>("room-1",
            new RoomType<>("scripted", () -> room, StringValue.parser(), SETTINGS),
            SETTINGS, clock, scheduler, output, 1L);

    RoomRuntimeTest() {
        runtime.start();
    }

    private void tick() {
        scheduler.advance(TICK);
    }

    private Player join(String playerId) {
        return assertInstanceOf(JoinResult.Seated.class, runtime.join(playerId, playerId + "'s name")).player();
    }

    private static ByteString text(String text) {
        return StringValue.of(text).toByteString();
    }

    private State lastState() {
        List<State> states = output.roomStates();
        return states.getLast();
    }

    private static Map<Integer, ByteString> entities(String... textBySeat) {
        Map<Integer, ByteString> entities = new LinkedHashMap<>();
        for (int seat = 0; seat < textBySeat.length; seat++) {
            entities.put(seat, text(textBySeat[seat]));
        }
        return entities;
    }

    /** The room's whole state, from the keyframe a seated player would get on resuming. */
    private Map<Integer, ByteString> stateSeenBy(String playerId) {
        StateAssembler viewer = new StateAssembler();
        viewer.apply(RecordingRoomOutput.decode(runtime.rejoinFrame(playerId)).getJoined().getKeyframe());
        return viewer.entities();
    }

    private static SeatInput applied(int seat, int seq) {
        return SeatInput.newBuilder().setSeat(seat).setSeq(seq).build();
    }

    @Nested
    class Ticks {

        @Test
        void eachTickSendsOneStateFrameToTheWholeRoom() {
            join("alice");
            clock.setCurrentTimeMillis(5_000);

            tick();

            assertEquals(1, output.roomFrames().size());
            RoomFrame frame = output.roomFrames().getFirst();
            assertNull(frame.exceptPlayerId());
            State state = frame.frame().getState();
            assertEquals("room-1", state.getRoomId());
            assertEquals(1, state.getTick());
            assertEquals(5_000 + TICK.toMillis(), state.getServerTimeMs());
            assertEquals(List.of("create", "join alice@0", "tick 1"), room.calls);
        }

        @Test
        void eachTickSaysHowLateItStartedAgainstItsPlaceOnTheGrid() {
            join("alice");
            tick(); // tick 1, due at 50 ms, runs at 50 ms
            assertEquals(List.of(0L), output.ticksLate());

            // The room's thread comes back 130 ms later (at 180 ms): ticks 2 and 3 (due at 100 and
            // 150 ms) run back to back at once, 80 and 30 ms late; tick 4 is on time again.
            clock.advance(Duration.ofMillis(130));
            scheduler.runDue();
            tick();

            assertEquals(List.of(0L, 80_000_000L, 30_000_000L, 0L), output.ticksLate());
            assertEquals(4, output.roomStates().size());
        }

        @Test
        void aClientFollowingTheFramesSeesTheRoomsState() {
            ServerFrame joined = RecordingRoomOutput.decode(
                    ((JoinResult.Seated) runtime.join("alice", "Alice")).joinedFrame());
            StateAssembler viewer = new StateAssembler();
            assertTrue(viewer.apply(joined.getJoined().getKeyframe()));

            for (int seq = 1; seq <= 30; seq++) {
                runtime.offerInput("alice", seq, text("step " + seq));
                tick();
                assertTrue(viewer.apply(lastState()), "tick " + seq);
            }
            assertEquals(entities("step 30"), viewer.entities());
        }
    }

    @Nested
    class Inputs {

        @Test
        void inputsReachTheRoomInArrivalOrderAtTheNextTickAndTheLatestWins() {
            join("alice");
            join("bob");
            runtime.offerInput("alice", 1, text("a1"));
            runtime.offerInput("bob", 1, text("b1"));
            runtime.offerInput("alice", 2, text("a2"));
            assertEquals(List.of(), room.calls("input"), "nothing before the tick");

            tick();

            assertEquals(List.of("input alice a1 #1", "input bob b1 #1", "input alice a2 #2"), room.calls("input"));
            assertEquals("tick 1", room.calls.getLast(), "inputs are applied before the tick runs");
            assertEquals(entities("a2", "b1"), stateSeenBy("alice"));
        }

        @Test
        void staleAndDuplicateSequenceNumbersAreDropped() {
            join("alice");
            runtime.offerInput("alice", 5, text("five"));
            runtime.offerInput("alice", 5, text("five again"));
            runtime.offerInput("alice", 3, text("three"));
            runtime.offerInput("alice", 6, text("six"));
            tick();
            runtime.offerInput("alice", 6, text("six again"));
            tick();

            assertEquals(List.of("input alice five #5", "input alice six #6"), room.calls("input"));
            assertEquals(3, runtime.discardedInputs());
        }

        @Test
        void theStateEchoesEachSeatsLastAppliedSequenceNumber() {
            join("alice");
            join("bob");
            runtime.offerInput("alice", 7, text("x"));
            tick();
            assertEquals(List.of(applied(0, 7)), lastState().getAppliedList(), "bob has had no input applied: not listed");

            runtime.offerInput("bob", 2, text("y"));
            tick();
            assertEquals(List.of(applied(0, 7), applied(1, 2)), lastState().getAppliedList());
        }

        @Test
        void inputsBeyondTheQueueBoundAreRefusedAndNeverApplied() {
            join("alice");
            List<Boolean> accepted = new ArrayList<>();
            for (int seq = 1; seq <= 6; seq++) {
                accepted.add(runtime.offerInput("alice", seq, text("#" + seq)));
            }
            tick();

            assertEquals(List.of(true, true, true, true, false, false), accepted);
            assertEquals(4, room.calls("input").size());
            assertTrue(runtime.offerInput("alice", 7, text("#7")), "the tick emptied the queue");
        }

        @Test
        void theQueueBoundHoldsUnderConcurrentOffers() {
            join("alice");
            AtomicInteger accepted = new AtomicInteger();
            List<CompletableFuture<Void>> producers = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                producers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 500; i++) {
                        if (runtime.offerInput("alice", i + 1, text("x"))) {
                            accepted.incrementAndGet();
                        }
                    }
                }));
            }
            producers.forEach(CompletableFuture::join);

            assertEquals(SETTINGS.maxQueuedInputs(), accepted.get());
        }

        @Test
        void anUnparsablePayloadIsDroppedAndCountedWithoutUsingUpItsSequenceNumber() {
            join("alice");
            runtime.offerInput("alice", 1, ByteString.copyFrom(new byte[] {(byte) 0xFF, 0x01}));
            tick();
            runtime.offerInput("alice", 1, text("fine"));
            tick();

            assertEquals(1, runtime.malformedInputs());
            assertEquals(List.of("input alice fine #1"), room.calls("input"));
        }

        @Test
        void inputsOfPlayersWithoutASeatAreDropped() {
            runtime.offerInput("mallory", 1, text("x"));
            tick();

            assertEquals(List.of(), room.calls("input"));
            assertEquals(1, runtime.discardedInputs());
        }
    }

    @Nested
    class Seating {

        @Test
        void playersTakeTheLowestFreeSeatAndAFreedSeatIsReused() {
            assertEquals(0, join("alice").seat());
            assertEquals(1, join("bob").seat());
            assertEquals(2, join("carol").seat());

            assertTrue(runtime.leave("bob", LeaveCause.REQUESTED));
            assertEquals(1, join("dave").seat());
            assertEquals(List.of("join alice@0", "join bob@1", "join carol@2", "leave bob REQUESTED", "join dave@1"),
                    room.calls.subList(1, room.calls.size()));
        }

        @Test
        void aFullRoomRefusesWithRoomFull() {
            join("alice");
            join("bob");
            join("carol");

            JoinResult.Refused refused = assertInstanceOf(JoinResult.Refused.class, runtime.join("dave", "Dave"));
            assertEquals(ErrorCode.ROOM_FULL, refused.code());
            assertEquals(3, runtime.playerCount());
        }

        @Test
        void theRoomsRulesCanRefuseASeatWithAReason() {
            room.admission = player -> player.name().isBlank() ? Admission.reject("a name is required") : Admission.accept();

            JoinResult.Refused refused = assertInstanceOf(JoinResult.Refused.class, runtime.join("alice", " "));

            assertEquals(ErrorCode.JOIN_REJECTED, refused.code());
            assertEquals("a name is required", refused.message());
            assertFalse(runtime.isSeated("alice"));
            assertEquals(List.of(), room.calls("join"));
        }

        @Test
        void aSeatedPlayerCannotJoinAgain() {
            join("alice");

            JoinResult.Refused refused = assertInstanceOf(JoinResult.Refused.class, runtime.join("alice", "Alice"));

            assertEquals(ErrorCode.ALREADY_IN_ROOM, refused.code());
            assertEquals(1, room.calls("join").size());
        }

        @Test
        void theJoinedFrameCarriesTheWholeCurrentStateWithoutDisturbingOtherViewersDeltas() {
            JoinResult.Seated alice = assertInstanceOf(JoinResult.Seated.class, runtime.join("alice", "Alice"));
            StateAssembler aliceView = new StateAssembler();
            assertTrue(aliceView.apply(RecordingRoomOutput.decode(alice.joinedFrame()).getJoined().getKeyframe()));
            runtime.offerInput("alice", 1, text("hello"));
            tick();
            tick();
            runtime.emit("alice", "chat", text("hi"), null);
            for (State state : output.roomStates()) {
                assertTrue(aliceView.apply(state));
            }

            JoinResult.Seated seated = assertInstanceOf(JoinResult.Seated.class, runtime.join("bob", "Bob"));

            Joined joined = RecordingRoomOutput.decode(seated.joinedFrame()).getJoined();
            assertEquals("room-1", joined.getRoomId());
            assertEquals("scripted", joined.getGameType());
            assertEquals(1, joined.getSeat());
            assertEquals("bob", joined.getPlayerId());
            assertEquals(20, joined.getTickRateHz());
            assertEquals(1, joined.getLastEventOffset());
            State keyframe = joined.getKeyframe();
            assertTrue(keyframe.getKeyframe());
            assertEquals(2, keyframe.getTick());
            assertEquals(List.of(applied(0, 1)), keyframe.getAppliedList(), "bob has sent nothing yet");
            StateAssembler bobView = new StateAssembler();
            assertTrue(bobView.apply(keyframe));
            assertEquals(entities("hello", ""), bobView.entities());

            runtime.offerInput("bob", 1, text("hey"));
            tick();
            assertTrue(aliceView.apply(lastState()));
            assertTrue(bobView.apply(lastState()));
            assertEquals(entities("hello", "hey"), aliceView.entities());
            assertEquals(aliceView.entities(), bobView.entities());
        }

        @Test
        void aResumingPlayerGetsAJoinedFrameForItsSeat() {
            join("alice");
            join("bob");
            tick();

            Joined joined = RecordingRoomOutput.decode(runtime.rejoinFrame("bob")).getJoined();

            assertEquals(1, joined.getSeat());
            assertEquals(1, joined.getKeyframe().getTick());
            assertNull(runtime.rejoinFrame("carol"));
        }
    }

    @Nested
    class Events {

        @Test
        void anEventToTheRoomReachesEveryoneButItsSenderWithIncreasingOffsets() {
            join("alice");
            join("bob");

            assertEquals(EmitResult.ok(1), runtime.emit("alice", "chat", text("hi"), null)); // the ack tells the sender where its event went
            assertEquals(EmitResult.ok(2), runtime.emit("bob", "chat", text("yo"), ""));

            List<RoomFrame> frames = output.roomFrames();
            assertEquals(List.of("alice", "bob"), frames.stream().map(RoomFrame::exceptPlayerId).toList());
            Event first = frames.get(0).frame().getEvent();
            assertEquals("room-1", first.getRoomId());
            assertEquals("alice", first.getFromPlayer());
            assertEquals("chat", first.getName());
            assertEquals(text("hi"), first.getPayload());
            assertFalse(first.getDirect());
            assertEquals(List.of(1L, 2L), output.roomEvents().stream().map(Event::getOffset).toList());
            assertEquals(List.of("event alice->room chat", "event bob->room chat"), room.calls("event"));
        }

        @Test
        void aDirectEventReachesOnlyItsAddresseeAndIsNotLogged() {
            join("alice");
            join("bob");
            join("carol");

            assertEquals(EmitResult.OK, runtime.emit("alice", "whisper", text("psst"), "bob"));

            assertEquals(List.of(), output.roomFrames());
            assertEquals(1, output.playerFrames().size());
            Event event = output.framesTo("bob").getFirst().getEvent();
            assertTrue(event.getDirect());
            assertEquals(0, event.getOffset());
            assertEquals("alice", event.getFromPlayer());
            assertEquals(List.of(), runtime.eventsAfter(0));
        }

        @Test
        void theRoomCanRejectOrConsumeAnEvent() {
            join("alice");
            join("bob");

            room.eventDecision = EventDecision.reject("no spam");
            assertEquals(EmitResult.failed(ErrorCode.EVENT_REJECTED, "no spam"),
                    runtime.emit("alice", "chat", text("buy"), null));
            room.eventDecision = EventDecision.consume();
            assertEquals(EmitResult.OK, runtime.emit("alice", "ready", ByteString.EMPTY, null));

            assertEquals(List.of(), output.roomFrames());
            assertEquals(List.of(), output.playerFrames());
            assertEquals(2, room.calls("event").size());
        }

        @Test
        void emitsFromOrToPlayersWithoutASeatFail() {
            join("alice");

            assertEquals(ErrorCode.NOT_IN_ROOM, runtime.emit("mallory", "chat", text("x"), null).error());
            assertEquals(ErrorCode.PLAYER_NOT_FOUND, runtime.emit("alice", "chat", text("x"), "nobody").error());
            assertEquals(List.of(), room.calls("event"));
            assertEquals(List.of(), output.roomFrames());
        }

        @Test
        void theRoomCanBroadcastToEveryoneAndSendToOnePlayer() {
            Player alice = join("alice");
            room.onTick = ctx -> {
                ctx.broadcast("round", text("start"));
                ctx.send(alice, "role", text("seeker"));
            };

            tick();

            RoomFrame broadcast = output.roomFrames().getFirst();
            assertNull(broadcast.exceptPlayerId());
            assertEquals("", broadcast.frame().getEvent().getFromPlayer());
            assertEquals(1, broadcast.frame().getEvent().getOffset());
            Event direct = output.framesTo("alice").getFirst().getEvent();
            assertEquals("role", direct.getName());
            assertTrue(direct.getDirect());
            assertTrue(output.roomFrames().get(1).frame().hasState(), "the tick's state follows its events");
        }

        @Test
        void missedEventsReplayAfterAnOffsetAsFarBackAsTheLogKeeps() {
            join("alice");
            for (int i = 1; i <= 5; i++) {
                runtime.emit("alice", "n", text(String.valueOf(i)), null);
            }
            List<byte[]> sent = output.roomFrames().stream().map(RoomFrame::bytes).toList();

            assertEquals(List.of(3L, 4L, 5L), offsets(runtime.eventsAfter(0)), "the log keeps the last 3");
            List<byte[]> afterFour = runtime.eventsAfter(4);
            assertEquals(1, afterFour.size());
            assertArrayEquals(sent.get(4), afterFour.getFirst(), "replayed as the same bytes");
            assertEquals(List.of(), runtime.eventsAfter(5));
        }

        @Test
        void aResumeLearnsHowManyOfTheEventsItMissedTheLogNoLongerHas() {
            join("alice");
            for (int i = 1; i <= 5; i++) {
                runtime.emit("alice", "n", text(String.valueOf(i)), null);
            }
            RoomRuntime.Rejoin fromOne = runtime.rejoin("alice", 1);
            assertEquals(List.of(3L, 4L, 5L), offsets(fromOne.events()));
            assertEquals(1, joined(fromOne).getEventsMissed(), "event 2 fell out of the 3-event log");
            RoomRuntime.Rejoin fromFour = runtime.rejoin("alice", 4);
            assertEquals(List.of(5L), offsets(fromFour.events()));
            assertEquals(0, joined(fromFour).getEventsMissed(), "nothing missed: the replay is complete");
            RoomRuntime.Rejoin noCursor = runtime.rejoin("alice", RoomRuntime.NO_CURSOR);
            assertEquals(List.of(), noCursor.events());
            assertEquals(0, joined(noCursor).getEventsMissed());
            assertEquals(5, joined(noCursor).getLastEventOffset());
            assertNull(runtime.rejoin("carol", 0), "no seat, no rejoin");
        }

        @Test
        void aResumeFromPastTheLogMakesTheRoomGoOnAfterItsCursorNotReuseTheOffsetsItSaw() {
            join("alice");
            runtime.emit("alice", "n", text("1"), null);
            // Alice saw events up to 4 from a former owner that died before they were stored.
            RoomRuntime.Rejoin rejoin = runtime.rejoin("alice", 4);
            assertEquals(List.of(), rejoin.events());
            assertEquals(0, joined(rejoin).getEventsMissed(), "she has missed nothing");
            assertEquals(4, joined(rejoin).getLastEventOffset());
            runtime.emit("alice", "n", text("next"), null);
            assertEquals(5, runtime.lastEventOffset(), "the room's next event is 5, not a second 2");
        }

        private static Joined joined(RoomRuntime.Rejoin rejoin) {
            return RecordingRoomOutput.decode(rejoin.joinedFrame()).getJoined();
        }

        private static List<Long> offsets(List<byte[]> frames) {
            return frames.stream().map(f -> RecordingRoomOutput.decode(f).getEvent().getOffset()).toList();
        }
    }

    @Nested
    class Membership {

        @Test
        void aKickFromInsideOnTickTakesEffectOnceTheTickReturns() {
            Player alice = join("alice");
            join("bob");
            room.onTick = ctx -> {
                // onLeave changes this map: an immediate kick would break the iteration.
                for (int seat : room.latestInputBySeat.keySet()) {
                    if (seat == alice.seat()) {
                        ctx.kick(alice, "cheating");
                    }
                }
                room.calls.add("players during tick: " + ctx.players().size());
            };

            tick();

            assertEquals(List.of("tick 1", "players during tick: 2", "leave alice KICKED"),
                    room.calls.subList(3, room.calls.size()));
            assertEquals(List.of(new Removal("alice", LeaveCause.KICKED, "cheating")), output.removals());
            assertFalse(runtime.isSeated("alice"));
            assertEquals(List.of(), lastState().getAppliedList(), "alice's seat is gone; bob has sent nothing");
            assertEquals(Map.of(1, text("")), stateSeenBy("bob"), "alice's entity is gone");
        }

        @Test
        void closingTheRoomRemovesEveryPlayerAndStopsTheTicks() {
            join("alice");
            join("bob");
            tick();

            runtime.close();
            scheduler.advance(Duration.ofSeconds(1));

            assertEquals(List.of("leave alice ROOM_CLOSED", "leave bob ROOM_CLOSED", "dispose"),
                    room.calls.subList(room.calls.size() - 3, room.calls.size()));
            assertEquals(List.of("alice", "bob"), output.removals().stream().map(Removal::playerId).toList());
            assertTrue(output.removals().stream().allMatch(r -> r.cause() == LeaveCause.ROOM_CLOSED));
            assertTrue(output.isRoomClosed());
            assertTrue(runtime.isClosed());
            assertEquals(1, output.roomStates().size());
            assertEquals(0, scheduler.pendingTasks());
            assertEquals(ErrorCode.ROOM_NOT_FOUND,
                    assertInstanceOf(JoinResult.Refused.class, runtime.join("carol", "Carol")).code());
            assertFalse(runtime.offerInput("alice", 1, text("x")));
        }

        @Test
        void aRoomCanCloseItselfDuringATick() {
            join("alice");
            room.onTick = ctx -> {
                if (ctx.tick() == 3) {
                    ctx.close();
                }
            };

            scheduler.advance(Duration.ofSeconds(1));

            assertEquals(2, output.roomStates().size(), "no state for the tick that closed the room");
            assertEquals(3, runtime.tick());
            assertEquals(List.of("tick 3", "leave alice ROOM_CLOSED", "dispose"),
                    room.calls.subList(room.calls.size() - 3, room.calls.size()));
            assertTrue(output.isRoomClosed());
        }
    }

    @Nested
    class Keyframes {

        @Test
        void aRequestedKeyframeFollowsTheNextTicksFrameToTheRequesterAlone() {
            join("alice");
            join("bob");
            runtime.offerInput("bob", 1, text("b"));
            tick();

            runtime.requestKeyframe("alice");
            tick();

            State delta = lastState();
            assertFalse(delta.getKeyframe());
            List<ServerFrame> toAlice = output.framesTo("alice");
            assertEquals(1, toAlice.size());
            State keyframe = toAlice.getFirst().getState();
            assertTrue(keyframe.getKeyframe());
            assertEquals(delta.getTick(), keyframe.getTick());
            assertEquals(delta.getAppliedList(), keyframe.getAppliedList());
            StateAssembler view = new StateAssembler();
            view.apply(keyframe);
            assertEquals(entities("", "b"), view.entities());
            assertEquals(List.of(), output.framesTo("bob"));

            tick();
            assertEquals(1, output.framesTo("alice").size(), "answered once");
        }

        @Test
        void aRoomKeyframeRequestMakesTheNextFrameAKeyframeForEveryone() {
            join("alice");
            tick();
            assertFalse(lastState().getKeyframe());

            runtime.requestRoomKeyframe();
            tick();

            assertTrue(lastState().getKeyframe());
            assertEquals(1, lastState().getEntitiesCount());
            tick();
            assertFalse(lastState().getKeyframe());
        }
    }

    @Nested
    class Options {

        /** Records what ctx.options() is in each call. */
        private final List<String> seen = new ArrayList<>();
        private final Room<StringValue> reading = new Room<>() {
            @Override
            public void onCreate(RoomContext ctx) {
                seen.add("create " + ctx.options());
            }

            @Override
            public void onJoin(RoomContext ctx, Player player) {
                seen.add("join " + ctx.options());
            }

            @Override
            public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {}

            @Override
            public void onTick(RoomContext ctx) {
                seen.add("tick " + ctx.options());
            }

            @Override
            public void writeState(StateWriter out) {}
        };

        private RoomRuntime<StringValue> created(Map<String, String> options) {
            RoomType<StringValue> type = new RoomType<>("reading", () -> reading, StringValue.parser(), SETTINGS);
            RoomRuntime<StringValue> created = options == null
                    ? new RoomRuntime<>("room-2", type, SETTINGS, clock, scheduler, output, 1L)
                    : new RoomRuntime<>("room-2", type, SETTINGS, clock, scheduler, output, 1L, options, 1);
            created.start();
            return created;
        }

        @Test
        void aRoomReadsItsCreationOptionsInOnCreateAndEveryLaterCallSortedByName() {
            Map<String, String> given = new LinkedHashMap<>();
            given.put("region", "eu");
            given.put("mode", "ranked");
            RoomRuntime<StringValue> created = created(given);
            given.put("mode", "changed by the caller afterwards");
            created.join("alice", "Alice");
            tick();

            String expected = "{mode=ranked, region=eu}";
            assertEquals(List.of("create " + expected, "join " + expected, "tick " + expected), seen);
            assertEquals(List.of("mode", "region"), List.copyOf(created.options().keySet()));
            assertThrows(UnsupportedOperationException.class, () -> created.options().put("mode", "casual"));
        }

        @Test
        void aRoomCreatedWithoutOptionsReadsAnEmptyMap() {
            RoomRuntime<StringValue> created = created(null);
            created.join("alice", "Alice");

            assertEquals(List.of("create {}", "join {}"), seen);
            assertEquals(Map.of(), created.options());
        }

        @Test
        void aGameDeclaresTheOptionsItFiltersByAndKeepsTheFourArgumentForm() {
            RoomType<StringValue> plain = new RoomType<>("plain", () -> reading, StringValue.parser(), SETTINGS);
            RoomType<StringValue> filtering = plain.withFilterBy("mode", "region");

            assertEquals(List.of(), plain.filterBy());
            assertEquals(List.of("mode", "region"), filtering.filterBy());
            assertEquals(plain.name(), filtering.name());
            assertEquals(plain.settings(), filtering.settings());
            assertThrows(IllegalArgumentException.class, () -> plain.withFilterBy("mode", "mode"));
            assertThrows(IllegalArgumentException.class, () -> plain.withFilterBy("no spaces"));
            assertThrows(IllegalArgumentException.class, () -> plain.withFilterBy(""));
            assertThrows(IllegalArgumentException.class, () -> plain.withFilterBy("x".repeat(33)));
        }
    }
}
