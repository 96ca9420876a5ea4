package io.roomcast.bots;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What every scenario command does around its {@link Scenario}: check the options, run the
 * {@link Engine}, write the reports, print a summary, and turn the outcome into an exit code
 * ({@link Main} lists them). Failures the user can act on are one line, never a stack trace.
 */
abstract class ScenarioCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    abstract RunOptions options();

    /** Checks the scenario's own options (IllegalArgumentException: a usage error) and builds it. */
    abstract Scenario scenario(Run run);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter errWriter = spec.commandLine().getErr();
        java.io.PrintStream err = new java.io.PrintStream(new WriterOutputStream(errWriter), true, StandardCharsets.UTF_8);
        RunOptions options = options();
        Report report;
        try {
            options.validate();
        } catch (IllegalArgumentException e) {
            errWriter.println("roomcast-bots: " + e.getMessage());
            errWriter.flush();
            return Main.EXIT_USAGE;
        }
        try (Transport transport = new Transport(options.clients, options.timerThreads)) {
            Run run = new Run(options, transport, err);
            Scenario scenario;
            Engine engine;
            try {
                scenario = scenario(run);
                engine = new Engine(run, scenario);
            } catch (IllegalArgumentException e) {
                errWriter.println("roomcast-bots: " + e.getMessage());
                errWriter.flush();
                return Main.EXIT_USAGE;
            }
            report = engine.execute();
            report.command = String.join(" ", spec.commandLine().getParseResult().originalArgs());
        } catch (Engine.RunFailure e) {
            err.flush();
            errWriter.println("roomcast-bots: " + e.getMessage());
            errWriter.flush();
            return Main.EXIT_CANNOT_RUN;
        }
        write(options.reportJson, Json.write(report.toJson()), errWriter);
        write(options.reportHtml, HtmlReport.render(report), errWriter);
        Summary.print(report, out);
        out.flush();
        if (report.targetConnections > 0 && report.connectedAtWindowEnd == 0) {
            errWriter.println("roomcast-bots: every connection was lost before the end of the window (is the target down?)"
                    + first(report));
            errWriter.flush();
            return Main.EXIT_CANNOT_RUN;
        }
        if (!report.passed()) {
            errWriter.println("roomcast-bots: threshold failed: " + String.join("; ", report.thresholdFailures));
            errWriter.flush();
            return Main.EXIT_THRESHOLD;
        }
        return Main.EXIT_OK;
    }

    private static String first(Report report) {
        return report.firstErrors.isEmpty() ? "" : String.format(Locale.ROOT, " (first: %s)",
                report.firstErrors.entrySet().iterator().next());
    }

    private static void write(Path file, String content, PrintWriter err) throws IOException {
        if (file == null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
        err.println("roomcast-bots: wrote " + file);
        err.flush();
    }

    /** Lets the engine print to picocli's error writer (the CLI's, or a test's). */
    private static final class WriterOutputStream extends java.io.OutputStream {
        private final PrintWriter writer;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        WriterOutputStream(PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0) {
                writer.print(line.toString(StandardCharsets.UTF_8));
                writer.flush();
                line.reset();
            }
        }
    }
}
