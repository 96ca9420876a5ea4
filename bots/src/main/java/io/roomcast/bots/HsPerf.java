package io.roomcast.bots;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Heap and GC-pause counters of another JVM, read from its hsperfdata file
 * ({@code $TMPDIR/hsperfdata_<user>/<pid>}, the shared memory {@code jstat} reads) without
 * attaching to it and without costing it anything. Heap "used" is as of the JVM's last update
 * of its counters (collectors update them at each collection); the collector counters are
 * pauses ("G1 young collection pauses", "ZGC minor collection pauses", ...).
 */
public final class HsPerf {

    private static final int MAGIC = 0xcafec0c0;

    /** Heap used and capacity (bytes), GC pause count and seconds so far. */
    public record Reading(long heapUsed, long heapCapacity, long gcPauses, double gcPauseSeconds) {}

    private HsPerf() {}

    public static Optional<Reading> read(String pid) {
        Optional<Path> file = find(pid);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(ByteBuffer.wrap(Files.readAllBytes(file.get()))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<Path> find(String pid) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "hsperfdata_*")) {
            for (Path dir : dirs) {
                Path file = dir.resolve(pid);
                if (Files.isReadable(file)) {
                    return Optional.of(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static Reading parse(ByteBuffer buf) {
        if (buf.order(ByteOrder.BIG_ENDIAN).getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not an hsperfdata file");
        }
        buf.order(buf.get(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int entry = buf.getInt(24);
        int entries = buf.getInt(28);
        long used = 0;
        long capacity = 0;
        long pauses = 0;
        long pauseTicks = 0;
        long frequency = 1_000_000_000L;
        for (int i = 0; i < entries && entry > 0 && entry < buf.limit(); i++) {
            int length = buf.getInt(entry);
            int nameOffset = buf.getInt(entry + 4);
            int vectorLength = buf.getInt(entry + 8);
            byte type = buf.get(entry + 12);
            int dataOffset = buf.getInt(entry + 16);
            if (vectorLength == 0 && type == 'J') {
                String name = cString(buf, entry + nameOffset);
                long value = buf.getLong(entry + dataOffset);
                if (name.startsWith("sun.gc.generation.")) {
                    if (name.matches("sun\\.gc\\.generation\\.\\d+\\.space\\.\\d+\\.used")) {
                        used += value;
                    } else if (name.matches("sun\\.gc\\.generation\\.\\d+\\.capacity")) {
                        capacity += value;
                    }
                } else if (name.startsWith("sun.gc.collector.")) {
                    if (name.endsWith(".invocations")) {
                        pauses += value;
                    } else if (name.endsWith(".time")) {
                        pauseTicks += value;
                    }
                } else if (name.equals("sun.os.hrt.frequency")) {
                    frequency = value;
                }
            }
            if (length <= 0) {
                break;
            }
            entry += length;
        }
        return new Reading(used, capacity, pauses, (double) pauseTicks / frequency);
    }

    private static String cString(ByteBuffer buf, int at) {
        int end = at;
        while (end < buf.limit() && buf.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - at];
        buf.get(at, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
