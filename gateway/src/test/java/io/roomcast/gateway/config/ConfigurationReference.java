package io.roomcast.gateway.config;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes {@code docs/configuration.md} from {@link NodeConfig}: each {@code @Option}'s flag,
 * environment variable, default and description, and the range {@link NodeConfig#RANGES} checks.
 * {@code ConfigurationReferenceTest} fails when the file differs from what this writes. To write it:
 * <pre>./mvnw -B -pl gateway -am test -Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Droomcast.writeDocs=true</pre>
 */
public final class ConfigurationReference {

    /** {@code ${env:NAME:-default}}: how every setting reads its environment variable. */
    static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Z0-9_]+):-(.*)}");
    /** The tail every description ends with, which the table shows in columns of its own. */
    static final Pattern DESCRIPTION_TAIL = Pattern.compile("(.*) \\(env ([A-Z0-9_]+)\\)\\. Default: (.*)");

    /** What validate() requires of settings that are not numbers (numbers: {@link NodeConfig#RANGES}). */
    private static final Map<String, String> OTHER_RULES = Map.ofEntries(
            Map.entry("--node-id", "`[A-Za-z0-9_.-]{1,64}`"),
            Map.entry("--redis-url", "`redis://` or `rediss://` URL"),
            Map.entry("--games", "bundled room types, comma-separated, at least one"),
            Map.entry("--auth", "`auto`, `open`, `jwt`"),
            Map.entry("--auth-jwt-secret", "at least 32 bytes; required by `--auth jwt`"),
            Map.entry("--redis-ca-file", "a readable PEM file"),
            Map.entry("--allowed-origins", "origins `https://host[:port]`, `https://*.example.com`, `*`"),
            Map.entry("--trusted-proxies", "addresses or CIDR networks, comma-separated"),
            Map.entry("--redis-cluster", "`true`, `false`"),
            Map.entry("--log-format", "`text`, `json`"),
            Map.entry("--admin-token", "at least 16 printable characters, no spaces"));

    private ConfigurationReference() {}

    /** One setting as documented. */
    record Setting(String flag, String env, String defaultValue, String range, String unit, String meaning) {
    }

    static List<Setting> settings() {
        List<Setting> out = new ArrayList<>();
        for (Field field : NodeConfig.class.getFields()) {
            Option option = field.getAnnotation(Option.class);
            if (option == null) {
                continue;
            }
            String flag = option.names()[0];
            Matcher env = ENV_DEFAULT.matcher(option.defaultValue());
            Matcher description = DESCRIPTION_TAIL.matcher(String.join(" ", option.description()));
            if (!env.matches() || !description.matches() || !description.group(2).equals(env.group(1))) {
                throw new IllegalStateException(flag + ": its default must be ${env:NAME:-value} and its description end"
                        + " with \"(env NAME). Default: ...\" naming the same variable");
            }
            String shownDefault = description.group(3).equals("${DEFAULT-VALUE}")
                    ? (env.group(2).isEmpty() ? "none" : "`" + env.group(2) + "`")
                    : description.group(3);
            out.add(new Setting(flag, env.group(1), shownDefault, range(flag), unit(flag), description.group(1)));
        }
        return out;
    }

    static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("""
                # Configuration reference

                Every setting of a node is a flag or an environment variable (the flag wins); a value out of
                range stops the node at start with one line naming the setting. `--help` prints the same list,
                `--version` the version. This file is generated from `NodeConfig` (its `@Option`s and
                `NodeConfig.RANGES`) by `gateway/src/test/java/io/roomcast/gateway/config/ConfigurationReference.java`;
                `ConfigurationReferenceTest` fails when it is out of date. To regenerate it:

                ```bash
                ./mvnw -B -pl gateway -am test -Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Droomcast.writeDocs=true
                ```

                How each limit is enforced (the error or close code a client sees, the counter in `/metrics`)
                is in `docs/operations.md`, "Settings" and "Security".

                | env | flag | default | range | unit | meaning |
                |---|---|---|---|---|---|
                """);
        for (Setting s : settings()) {
            md.append("| `").append(s.env()).append("` | `").append(s.flag()).append("` | ").append(s.defaultValue())
                    .append(" | ").append(s.range()).append(" | ").append(s.unit()).append(" | ")
                    .append(s.meaning().replace("|", "\\|")).append(" |\n");
        }
        return md.toString();
    }

    private static String range(String flag) {
        for (NodeConfig.Range range : NodeConfig.RANGES) {
            if (range.flag().equals(flag)) {
                return range.min() + ".." + range.max();
            }
        }
        return OTHER_RULES.getOrDefault(flag, "");
    }

    private static String unit(String flag) {
        if (flag.endsWith("-ms")) {
            return "milliseconds";
        }
        if (flag.endsWith("-bytes")) {
            return "bytes";
        }
        if (flag.endsWith("-per-second")) {
            return "per second";
        }
        if (flag.endsWith("-seconds")) {
            return "seconds";
        }
        if (flag.equals("--tick-rate")) {
            return "Hz";
        }
        if (flag.endsWith("-ticks")) {
            return "ticks";
        }
        return "";
    }

    static Path file() {
        Path here = Path.of("").toAbsolutePath();
        Path docs = Files.isDirectory(here.resolve("docs")) ? here.resolve("docs") : here.resolveSibling("docs");
        return docs.resolve("configuration.md");
    }

    public static void main(String[] args) throws IOException {
        Files.writeString(file(), markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + file());
    }
}
