package io.roomcast.gateway.ws;

import io.roomcast.gateway.ws.wire.WireFrame;

import java.nio.ByteBuffer;

/**
 * The frames queued for one socket and not yet written: a ring of references to shared
 * {@link WireFrame}s (no copy), the head possibly written in part. Handed to a gathering write
 * as views of the frames' bytes, so nothing is allocated per frame.
 *
 * <p>Threading: confined to the socket's I/O thread.
 */
final class SendQueue {

    private WireFrame[] frames = new WireFrame[4];
    private int head;
    private int size;
    private int headWritten; // bytes of the head frame already written

    boolean isEmpty() {
        return size == 0;
    }

    void add(WireFrame frame) {
        if (size == frames.length) {
            WireFrame[] bigger = new WireFrame[frames.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = frames[(head + i) % frames.length];
            }
            frames = bigger;
            head = 0;
        }
        frames[(head + size) % frames.length] = frame;
        size++;
    }

    /**
     * Puts views of the oldest frames (the head from where its written part ends) in
     * {@code vector}, as many as fit; returns how many.
     */
    int fill(ByteBuffer[] vector, int ioThreadId) {
        int n = Math.min(size, vector.length);
        for (int i = 0; i < n; i++) {
            vector[i] = frames[(head + i) % frames.length].view(ioThreadId, i == 0 ? headWritten : 0);
        }
        return n;
    }

    /** Drops what the kernel took ({@code written} bytes); returns the wire length of the frames now fully written. */
    long consume(long written) {
        long done = 0;
        long left = written;
        while (left > 0) {
            WireFrame frame = frames[head];
            int rest = frame.wireLength() - headWritten;
            if (left < rest) {
                headWritten += (int) left;
                return done;
            }
            left -= rest;
            done += frame.wireLength();
            frames[head] = null;
            head = (head + 1) % frames.length;
            size--;
            headWritten = 0;
        }
        return done;
    }

    /**
     * Drops every frame but the head (which may be partly written already); returns the wire
     * length dropped. What goes in next is the next thing the client reads.
     */
    long dropAllButHead() {
        long dropped = 0;
        for (int i = 1; i < size; i++) {
            int at = (head + i) % frames.length;
            dropped += frames[at].wireLength();
            frames[at] = null;
        }
        size = Math.min(size, 1);
        return dropped;
    }

    /** Forgets every frame (the socket closed). */
    void clear() {
        for (int i = 0; i < size; i++) {
            frames[(head + i) % frames.length] = null;
        }
        size = 0;
        headWritten = 0;
    }
}
