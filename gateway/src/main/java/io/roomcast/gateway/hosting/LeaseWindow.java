package io.roomcast.gateway.hosting;

/**
 * Until when this node holds a room's lease for sure, by its own clock: two thirds of the lease
 * after the start of the last claim or renewal that succeeded. Redis counts the lease from when
 * it ran the command, which is after the request left, so counting from the request is on the
 * safe side; the last third is the margin for the two clocks running at different rates. The
 * owner renews every third of the lease, so a healthy owner is always inside its window; one
 * that was paused for longer is not, until a renewal succeeds.
 *
 * <p>Thread-safe: confirmed from Redis's thread, read on the room's.
 */
final class LeaseWindow {

    private final long leaseNanos;
    private volatile long heldUntilNanos;
    private volatile boolean ever;

    LeaseWindow(long leaseNanos) {
        if (leaseNanos <= 0) {
            throw new IllegalArgumentException("leaseNanos must be > 0, was " + leaseNanos);
        }
        this.leaseNanos = leaseNanos;
    }

    /** A claim or renewal sent at {@code requestedAtNanos} (System.nanoTime) succeeded. */
    synchronized void confirmed(long requestedAtNanos) {
        long until = requestedAtNanos + leaseNanos * 2 / 3;
        if (!ever || until - heldUntilNanos > 0) {
            heldUntilNanos = until;
            ever = true;
        }
    }

    /** Whether the lease is surely held at {@code nowNanos} (System.nanoTime). */
    boolean heldAt(long nowNanos) {
        return ever && nowNanos - heldUntilNanos < 0;
    }
}
