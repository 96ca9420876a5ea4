import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Builds the browser bundle of @roomcast/client for the gateway's demo, run by the gateway's
 * Maven build ({@code java GatewayBundle.java MODE CLIENT_DIR OUT_FILE}, JDK source launcher, so
 * it needs nothing but the JDK the build already runs on).
 *
 * <p>With {@code node} and {@code npm} on PATH: {@code npm ci} when node_modules is missing or
 * older than package-lock.json, then {@code node scripts/build.mjs --browser-only OUT_FILE} when
 * the bundle is older than its sources. Without them the bundle is not built and the demo serves
 * its hand-written fallback client ({@code web/roomcast-client.js}); clients/js/README.md says why.
 *
 * <p>MODE: {@code auto} (default: build if node is there, else fall back, also when npm fails,
 * e.g. offline with an empty npm cache), {@code require} (fail the build instead: CI, so its
 * browser tests surely run on the package), {@code skip} (never build).
 */
public final class GatewayBundle {

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: GatewayBundle auto|require|skip CLIENT_DIR OUT_FILE");
        }
        String mode = args[0];
        Path client = Path.of(args[1]).toAbsolutePath().normalize();
        Path out = Path.of(args[2]).toAbsolutePath().normalize();
        if (!List.of("auto", "require", "skip").contains(mode)) {
            throw new IllegalArgumentException("roomcast.client must be auto, require or skip, not " + mode);
        }
        if (mode.equals("skip")) {
            fallBack(out, "roomcast.client=skip");
            return;
        }
        Optional<Path> node = onPath("node");
        Optional<Path> npm = onPath("npm");
        if (node.isEmpty() || npm.isEmpty()) {
            fail(mode, out, "no node/npm on PATH");
            return;
        }
        try {
            Path installed = client.resolve("node_modules").resolve(".package-lock.json");
            if (!Files.exists(installed) || olderThan(installed, client.resolve("package-lock.json"))) {
                log("npm ci in " + client);
                run(client, npm.get().toString(), "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error");
            }
            if (Files.exists(out) && newest(client, out) <= Files.getLastModifiedTime(out).toMillis()) {
                log("up to date: " + out);
                return;
            }
            Files.createDirectories(out.getParent());
            run(client, node.get().toString(), "scripts/build.mjs", "--browser-only", out.toString());
            log("built " + out + " (" + Files.size(out) / 1024 + " KiB)");
        } catch (IOException | InterruptedException | IllegalStateException e) {
            fail(mode, out, e.getMessage());
        }
    }

    private static void fail(String mode, Path out, String why) throws IOException {
        if (mode.equals("require")) {
            throw new IllegalStateException("cannot build @roomcast/client (roomcast.client=require): " + why);
        }
        fallBack(out, why);
    }

    /** No bundle: removes a stale one, so the demo surely serves the fallback. */
    private static void fallBack(Path out, String why) throws IOException {
        Files.deleteIfExists(out);
        log("not building the @roomcast/client bundle (" + why + "): the demo serves its fallback client, web/roomcast-client.js");
    }

    /** The newest modification time of the bundle's inputs: the sources, scripts, lock file and the contract. */
    private static long newest(Path client, Path out) throws IOException {
        Path proto = client.resolve("../../proto/src/main/protobuf/roomcast/v1/frames.proto").normalize();
        long newest = Files.getLastModifiedTime(proto).toMillis();
        for (Path dir : List.of(client.resolve("src"), client.resolve("scripts"))) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)
                        .filter(f -> !f.startsWith(client.resolve("src/generated")))::iterator) {
                    newest = Math.max(newest, Files.getLastModifiedTime(file).toMillis());
                }
            }
        }
        for (String file : List.of("package.json", "package-lock.json")) {
            newest = Math.max(newest, Files.getLastModifiedTime(client.resolve(file)).toMillis());
        }
        return newest;
    }

    private static boolean olderThan(Path a, Path b) throws IOException {
        FileTime ta = Files.getLastModifiedTime(a);
        return ta.compareTo(Files.getLastModifiedTime(b)) < 0;
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        int code = process.waitFor();
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + code);
        }
    }

    private static Optional<Path> onPath(String name) {
        boolean windows = System.getProperty("os.name").toLowerCase().startsWith("windows");
        List<String> names = windows ? List.of(name + ".cmd", name + ".exe") : List.of(name);
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String candidate : names) {
                Path path = Path.of(dir, candidate);
                if (Files.isExecutable(path)) {
                    return Optional.of(path);
                }
            }
        }
        return Optional.empty();
    }

    private static void log(String message) {
        System.out.println("[roomcast client] " + message);
    }
}
