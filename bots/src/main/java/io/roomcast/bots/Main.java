package io.roomcast.bots;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code roomcast-bots}: load-testing bots for Roomcast nodes. Exit codes: 0 the run passed,
 * 1 a stated threshold failed ({@code --max-p99-ms}, {@code --max-loss}), 2 bad usage, 3 the
 * run could not be carried out (target down, nobody could join, every connection lost).
 */
@Command(name = "roomcast-bots", mixinStandardHelpOptions = true, version = "roomcast-bots 0.1.0",
        description = "Drives many bot players over real WebSockets against Roomcast nodes and reports latency, loss and CPU.",
        subcommands = {W1.class, W2.class, Play.class, Chaos.class, Idle.class},
        footer = {"", "Exit codes: 0 passed, 1 a threshold failed, 2 bad usage, 3 could not run (e.g. target down)."})
public final class Main implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_THRESHOLD = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_CANNOT_RUN = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI in this process, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("roomcast-bots: " + (e instanceof Engine.RunFailure ? e.getMessage() : e.toString()));
            if (!(e instanceof Engine.RunFailure)) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return EXIT_CANNOT_RUN;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
