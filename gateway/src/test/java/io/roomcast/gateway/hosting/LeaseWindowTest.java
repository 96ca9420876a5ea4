package io.roomcast.gateway.hosting;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaseWindowTest {

    private static final long LEASE = 3_000;
    private static final long T0 = Long.MAX_VALUE - 2_500; // System.nanoTime may be anywhere, even about to wrap

    @Test
    void heldForTwoThirdsOfTheLeaseFromTheRequestThatSucceeded() {
        LeaseWindow window = new LeaseWindow(LEASE);
        assertFalse(window.heldAt(T0), "never confirmed: not held");

        window.confirmed(T0);

        assertTrue(window.heldAt(T0 + 1_999));
        assertFalse(window.heldAt(T0 + 2_000), "the last third is the margin for the clocks");
    }

    @Test
    void eachRenewalMovesTheWindowOnAndALateReplyOfAnOlderOneDoesNotMoveItBack() {
        LeaseWindow window = new LeaseWindow(LEASE);
        window.confirmed(T0);
        window.confirmed(T0 + 1_000); // the renewal a third of a lease later
        assertTrue(window.heldAt(T0 + 2_500));

        window.confirmed(T0 + 500); // an earlier request whose reply came last
        assertTrue(window.heldAt(T0 + 2_500), "still counted from the latest request");
        assertFalse(window.heldAt(T0 + 3_000));
    }

    @Test
    void anOwnerPausedLongerThanTheWindowHoldsNothingUntilARenewalSucceeds() {
        LeaseWindow window = new LeaseWindow(LEASE);
        window.confirmed(T0);
        long wokeUp = T0 + 4 * LEASE;
        assertFalse(window.heldAt(wokeUp), "its frames must not reach its own members: the room may have a new owner");
        window.confirmed(wokeUp);
        assertTrue(window.heldAt(wokeUp + 1));
    }

    @Test
    void aLeaseMustLastSomeTime() {
        assertThrows(IllegalArgumentException.class, () -> new LeaseWindow(0));
    }
}
