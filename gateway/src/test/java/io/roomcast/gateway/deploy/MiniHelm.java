package io.roomcast.gateway.deploy;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Renders deploy/helm/roomcast without Helm (there is no helm binary here): the subset of Go
 * templates and Sprig the chart uses, with Helm's whitespace rules. Anything else in a template
 * fails the render, which keeps the chart's templates simple enough for {@code HelmChartTest} to
 * check. Stricter than Helm in one way on purpose: a value that values.yaml does not define fails
 * (Helm would render it empty), so a misspelt value name cannot pass.
 *
 * <p>Supported: {@code {{ .Values.a.b }}}, {@code .Release.Name}, {@code .Release.Namespace},
 * {@code .Chart.Name / Version / AppVersion}, string and integer literals, {@code if} / {@code else}
 * / {@code end} (nested), {@code not}, {@code quote}, {@code toYaml}, {@code nindent},
 * {@code indent}, {@code required}, {@code default}, pipelines of those, {@code {{- } and
 * {@code -}}} trimming, and comments.
 */
final class MiniHelm {

    /** The chart's {@code required} failed: what {@code helm install} would refuse with. */
    static final class RequiredValueMissing extends RuntimeException {
        RequiredValueMissing(String message) {
            super(message);
        }
    }

    private static final Pattern ACTION = Pattern.compile("\\{\\{(-\\s)?(.*?)(\\s-)?}}", Pattern.DOTALL);
    private static final Object MISSING = new Object();

    private final Map<String, Object> context;

    private MiniHelm(Map<String, Object> context) {
        this.context = context;
    }

    /** A rendered chart: each template file's YAML documents, in file order. */
    record Rendered(Map<String, List<Map<String, Object>>> files) {

        List<Map<String, Object>> all() {
            return files.values().stream().flatMap(List::stream).toList();
        }

        /** The one object of this kind; fails if there is none or several. */
        Map<String, Object> one(String kind) {
            List<Map<String, Object>> found = ofKind(kind);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind + ", rendered " + found.size() + ": " + files.keySet());
            }
            return found.get(0);
        }

        List<Map<String, Object>> ofKind(String kind) {
            return all().stream().filter(doc -> kind.equals(doc.get("kind"))).toList();
        }
    }

    /**
     * Renders every template of {@code chart} with its values.yaml, overridden by {@code set}
     * (dotted paths, as {@code helm install --set a.b=c}), for a release named {@code release}.
     */
    static Rendered render(Path chart, String release, Map<String, Object> set) {
        try {
            Map<String, Object> chartYaml = new Yaml().load(Files.readString(chart.resolve("Chart.yaml")));
            Map<String, Object> values = new Yaml().load(Files.readString(chart.resolve("values.yaml")));
            set.forEach((path, value) -> put(values, path, value));
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("Values", values);
            context.put("Release", Map.of("Name", release, "Namespace", "default", "Service", "Helm"));
            context.put("Chart", Map.of("Name", chartYaml.get("name"), "Version", chartYaml.get("version"),
                    "AppVersion", chartYaml.get("appVersion")));
            MiniHelm helm = new MiniHelm(context);
            Map<String, List<Map<String, Object>>> files = new LinkedHashMap<>();
            List<Path> templates;
            try (Stream<Path> list = Files.list(chart.resolve("templates"))) {
                templates = list.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().startsWith("_"))
                        .sorted().toList();
            }
            for (Path template : templates) {
                String text = helm.renderText(Files.readString(template), template.getFileName().toString());
                List<Map<String, Object>> docs = new ArrayList<>();
                try {
                    for (Object doc : new Yaml().loadAll(text)) {
                        if (doc != null) {
                            docs.add(map(doc, template + " document"));
                        }
                    }
                } catch (RuntimeException e) {
                    throw new AssertionError(template.getFileName() + " does not render to YAML: " + e.getMessage() + "\n" + text, e);
                }
                files.put(template.getFileName().toString(), docs);
            }
            return new Rendered(files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Renders one template text with {@code context} (Values, Release, Chart). */
    static String renderText(String template, Map<String, Object> context) {
        return new MiniHelm(context).renderText(template, "template");
    }

    // ───────────── parsing: text and actions, with Helm's trimming ─────────────

    private sealed interface Node permits Text, Output, If {}

    private record Text(String text) implements Node {}

    private record Output(String pipeline) implements Node {}

    private record If(String condition, List<Node> then, List<Node> otherwise) implements Node {}

    private String renderText(String template, String name) {
        List<Object> tokens = new ArrayList<>(); // String (text) or String[] {action}
        Matcher m = ACTION.matcher(template);
        int last = 0;
        boolean trimNext = false;
        while (m.find()) {
            String text = template.substring(last, m.start());
            if (trimNext) {
                text = text.stripLeading();
            }
            if (m.group(1) != null) {
                text = text.stripTrailing();
            }
            tokens.add(text);
            tokens.add(new String[] {m.group(2).trim()});
            trimNext = m.group(3) != null;
            last = m.end();
        }
        String tail = template.substring(last);
        tokens.add(trimNext ? tail.stripLeading() : tail);
        int[] position = {0};
        List<Node> nodes = parse(tokens, position, name, false);
        if (position[0] != tokens.size()) {
            throw new AssertionError(name + ": an {{ end }} or {{ else }} without its {{ if }}");
        }
        StringBuilder out = new StringBuilder();
        emit(nodes, out, name);
        return out.toString();
    }

    private static List<Node> parse(List<Object> tokens, int[] position, String name, boolean inIf) {
        List<Node> nodes = new ArrayList<>();
        while (position[0] < tokens.size()) {
            Object token = tokens.get(position[0]);
            if (token instanceof String text) {
                nodes.add(new Text(text));
                position[0]++;
                continue;
            }
            String action = ((String[]) token)[0];
            if (action.startsWith("/*")) {
                if (!action.endsWith("*/")) {
                    throw new AssertionError(name + ": an unclosed comment {{" + action + "}}");
                }
                position[0]++;
            } else if (action.startsWith("if ")) {
                position[0]++;
                List<Node> then = parse(tokens, position, name, true);
                List<Node> otherwise = List.of();
                String closing = closing(tokens, position, name);
                if (closing.equals("else")) {
                    position[0]++;
                    otherwise = parse(tokens, position, name, true);
                    closing = closing(tokens, position, name);
                }
                if (!closing.equals("end")) {
                    throw new AssertionError(name + ": {{ " + action + " }} closed by {{ " + closing + " }}");
                }
                position[0]++;
                nodes.add(new If(action.substring(3).trim(), then, otherwise));
            } else if (action.equals("else") || action.equals("end")) {
                if (!inIf) {
                    throw new AssertionError(name + ": {{ " + action + " }} outside an {{ if }}");
                }
                return nodes;
            } else if (action.matches("(range|with|define|template|block|include|tpl|else if)\\b.*")) {
                throw new AssertionError(name + ": {{ " + action + " }} is beyond what HelmChartTest renders: keep the templates simple");
            } else {
                nodes.add(new Output(action));
                position[0]++;
            }
        }
        if (inIf) {
            throw new AssertionError(name + ": an {{ if }} without its {{ end }}");
        }
        return nodes;
    }

    private static String closing(List<Object> tokens, int[] position, String name) {
        if (position[0] >= tokens.size() || !(tokens.get(position[0]) instanceof String[] action)) {
            throw new AssertionError(name + ": an {{ if }} without its {{ end }}");
        }
        return action[0];
    }

    private void emit(List<Node> nodes, StringBuilder out, String name) {
        for (Node node : nodes) {
            switch (node) {
                case Text text -> out.append(text.text());
                case Output output -> out.append(string(evaluate(output.pipeline(), name)));
                case If branch -> emit(truthy(evaluate(branch.condition(), name)) ? branch.then() : branch.otherwise(), out, name);
            }
        }
    }

    // ───────────── evaluation: pipelines of terms and functions ─────────────

    private Object evaluate(String pipeline, String name) {
        List<String> stages = split(pipeline, '|');
        Object value = command(words(stages.get(0).trim()), null, false, name, pipeline);
        for (String stage : stages.subList(1, stages.size())) {
            value = command(words(stage.trim()), value, true, name, pipeline);
        }
        return value;
    }

    /** One command: a term, or a function and its arguments (plus the piped value as the last one). */
    private Object command(List<String> words, Object piped, boolean hasPiped, String name, String pipeline) {
        String head = words.get(0);
        List<Object> args = new ArrayList<>();
        for (String word : words.subList(1, words.size())) {
            args.add(term(word, name, pipeline));
        }
        if (hasPiped) {
            args.add(piped);
        }
        switch (head) {
            case "quote" -> {
                return "\"" + string(arg(args, 0, head, pipeline)).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
            case "toYaml" -> {
                return toYaml(arg(args, 0, head, pipeline));
            }
            case "nindent", "indent" -> {
                int by = Integer.parseInt(string(arg(args, 0, head, pipeline)));
                String pad = " ".repeat(by);
                String indented = pad + string(arg(args, 1, head, pipeline)).replace("\n", "\n" + pad);
                return head.equals("nindent") ? "\n" + indented : indented;
            }
            case "required" -> {
                Object value = arg(args, 1, head, pipeline);
                if (value == null || "".equals(value)) {
                    throw new RequiredValueMissing(string(arg(args, 0, head, pipeline)));
                }
                return value;
            }
            case "default" -> {
                Object value = args.size() > 1 ? args.get(1) : null;
                return truthy(value) ? value : arg(args, 0, head, pipeline);
            }
            case "not" -> {
                return !truthy(arg(args, 0, head, pipeline));
            }
            default -> {
                if (words.size() != 1 || hasPiped) {
                    throw new AssertionError(name + ": `" + head + "` in {{ " + pipeline + " }} is beyond what HelmChartTest renders");
                }
                return term(head, name, pipeline);
            }
        }
    }

    private static Object arg(List<Object> args, int index, String function, String pipeline) {
        if (index >= args.size()) {
            throw new AssertionError("`" + function + "` lacks an argument in {{ " + pipeline + " }}");
        }
        return args.get(index);
    }

    /** A literal or a path into the context ({@code .Values.a.b}). */
    private Object term(String word, String name, String pipeline) {
        if (word.startsWith("\"") && word.endsWith("\"") && word.length() >= 2) {
            return word.substring(1, word.length() - 1).replace("\\\"", "\"");
        }
        if (word.matches("-?\\d+")) {
            return Long.parseLong(word);
        }
        if (word.equals("true") || word.equals("false")) {
            return Boolean.parseBoolean(word);
        }
        if (!word.startsWith(".") || word.length() < 2) {
            throw new AssertionError(name + ": `" + word + "` in {{ " + pipeline + " }} is beyond what HelmChartTest renders");
        }
        Object value = context;
        for (String key : word.substring(1).split("\\.")) {
            value = value instanceof Map<?, ?> map && map.containsKey(key) ? map.get(key) : MISSING;
            if (value == MISSING) {
                throw new AssertionError(name + ": " + word + " is not defined (values.yaml must define every value a template uses)");
            }
        }
        return value;
    }

    // ───────────── helpers ─────────────

    /** Go templates' truth: false, 0, "", nil and empty collections are false. */
    static boolean truthy(Object value) {
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            case Number n -> n.doubleValue() != 0;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> true;
        };
    }

    private static String string(Object value) {
        return value == null ? "" : String.valueOf(value);
    }

    private static String toYaml(Object value) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        return new Yaml(options).dump(value).stripTrailing();
    }

    /** Splits on {@code separator} outside double quotes. */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        return parts;
    }

    /** Words separated by blanks, a double-quoted string being one word. */
    private static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        for (String word : split(command, ' ')) {
            if (!word.isBlank()) {
                words.add(word.trim());
            }
        }
        if (words.isEmpty()) {
            throw new AssertionError("an empty command");
        }
        return words;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> values, String dottedPath, Object value) {
        String[] keys = dottedPath.split("\\.");
        Map<String, Object> map = values;
        for (int i = 0; i < keys.length - 1; i++) {
            Object next = map.get(keys[i]);
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                map.put(keys[i], next);
            }
            map = (Map<String, Object>) next;
        }
        map.put(keys[keys.length - 1], value);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String what) {
        if (!(value instanceof Map)) {
            throw new AssertionError(what + " is not a mapping: " + value);
        }
        return (Map<String, Object>) value;
    }
}
