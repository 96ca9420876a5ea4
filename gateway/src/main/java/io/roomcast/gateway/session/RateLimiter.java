package io.roomcast.gateway.session;

/**
 * A token bucket: {@code perSecond} tokens a second, holding at most one second's worth.
 * Not thread-safe: a session's limiters are used by its connection's I/O thread only.
 */
public final class RateLimiter {

    private final double perNano;
    private final double capacity;
    private double tokens;
    private long lastRefillNanos;

    public RateLimiter(int perSecond, long nowNanos) {
        this.perNano = perSecond / 1e9;
        this.capacity = perSecond;
        this.tokens = perSecond;
        this.lastRefillNanos = nowNanos;
    }

    /** Takes a token if there is one. */
    public boolean tryAcquire(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * perNano);
            lastRefillNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
