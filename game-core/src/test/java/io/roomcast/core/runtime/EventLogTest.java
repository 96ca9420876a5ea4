package io.roomcast.core.runtime;

import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The room's event log: replay after a cursor, and how it goes on after a takeover. */
class EventLogTest {

    private static byte[] event(long offset) {
        return ServerFrame.newBuilder().setEvent(Event.newBuilder().setName("e" + offset).setOffset(offset)).build().toByteArray();
    }

    private static List<Long> offsets(List<byte[]> events) {
        return events.stream().map(e -> {
            try {
                return ServerFrame.parseFrom(e).getEvent().getOffset();
            } catch (Exception x) {
                throw new AssertionError(x);
            }
        }).toList();
    }

    @Test
    void aLogTakenOverPastOffsetsTheFormerOwnerGaveOutNeverGivesThemAgainAndReplaysAroundTheGap() {
        EventLog log = new EventLog(8);
        // The snapshot held events 3..5; the former owner had given out 6 and 7 since (lost with it).
        log.restore(7, List.of(event(3), event(4), event(5)));
        assertEquals(7, log.lastOffset());
        log.append(EventLogTest::event);
        assertEquals(8, log.lastOffset(), "the first new event is 8: 6 and 7 are never reused");
        assertEquals(List.of(4L, 5L, 8L), offsets(log.after(3)), "the lost events are a gap, skipped");
        assertEquals(List.of(8L), offsets(log.after(6)), "a client that saw 6 gets what came after");
    }

    @Test
    void offsetsAPlayerSawThatTheLogNeverHadAreNeverGivenOutAgain() {
        EventLog log = new EventLog(4);
        log.restore(5, List.of(event(4), event(5)));
        for (int i = 0; i < 3; i++) {
            log.append(EventLogTest::event); // 6, 7, 8: the ring wrapped over 4 and 5
        }
        // A resuming player saw up to 10: the former owner gave out 9 and 10, then died unsaved.
        assertEquals(true, log.passOver(10));
        log.append(EventLogTest::event);
        assertEquals(11, log.lastOffset(), "the next event is 11, not a second 9");
        assertEquals(List.of(8L, 11L), offsets(log.after(7)), "9 and 10 are a gap: no stale entry of the ring comes back");
        assertEquals(false, log.passOver(3), "a cursor behind the log moves nothing");
        log.passOver(1_000);
        assertEquals(15, log.lastOffset(), "a cursor is believed up to the log's capacity past it (it comes from a client)");
    }

    @Test
    void aRestoreWithoutAGapAndTheRingWrappingKeepTheNewest() {
        EventLog log = new EventLog(3);
        log.restore(5, List.of(event(2), event(3), event(4), event(5)));
        assertEquals(List.of(3L, 4L, 5L), offsets(log.after(0)), "the newest three fit");
        log.append(EventLogTest::event);
        assertEquals(List.of(4L, 5L, 6L), offsets(log.after(0)));
        assertThrows(IllegalArgumentException.class, () -> new EventLog(3).restore(4, List.of(event(5))),
                "recent events cannot end after the log's position");
    }
}
