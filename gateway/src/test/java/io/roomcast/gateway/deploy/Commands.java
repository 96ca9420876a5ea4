package io.roomcast.gateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the repository's scripts and tools from tests: bounded in time, output kept for messages. */
final class Commands {

    private Commands() {}

    /** Exit code and the merged stdout + stderr of one command. */
    record Result(List<String> command, int exitCode, String output) {
        String describe() {
            return "`" + String.join(" ", command) + "` exited with " + exitCode + ", output:\n" + output;
        }
    }

    /** The repository root: the first directory upwards from the working directory holding deploy/. */
    static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (with deploy/ and mvnw) above " + Path.of("").toAbsolutePath());
    }

    /**
     * Runs {@code command} in {@code dir} with {@code env} added to this JVM's environment; kills
     * it after {@code timeout}. Output goes through a file, so a background child that keeps it
     * open cannot hang the test.
     */
    static Result run(Path dir, Map<String, String> env, Duration timeout, String... command) {
        try {
            Path out = Files.createTempFile("roomcast-cmd-", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                builder.environment().putAll(env);
                Process process = builder.start();
                boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!done) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                String output = Files.readString(out);
                if (!done) {
                    output += "\n(killed: still running after " + timeout.toSeconds() + " s)";
                }
                return new Result(List.of(command), done ? process.exitValue() : -1, output);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** An executable named {@code name} on PATH, or in one of {@code extraDirs} (e.g. /usr/sbin, off a user's PATH). */
    static Optional<Path> executable(String name, String... extraDirs) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.concat(Stream.of(path.split(":")), Stream.of(extraDirs))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The last {@code lines} lines of every {@code *.log} in {@code dir}, for failure messages. */
    static String logTails(Path dir, int lines) {
        if (!Files.isDirectory(dir)) {
            return "(no " + dir + ")";
        }
        StringBuilder text = new StringBuilder();
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> all = Files.readAllLines(log);
                text.append("── ").append(log).append(" (last ").append(lines).append(" lines)\n");
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(line -> text.append("  ").append(line).append('\n'));
            }
        } catch (IOException e) {
            text.append("(could not read the logs: ").append(e).append(")");
        }
        return text.toString();
    }
}
