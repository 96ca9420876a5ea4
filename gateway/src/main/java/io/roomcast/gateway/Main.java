package io.roomcast.gateway;

import io.roomcast.gateway.config.NodeConfig;
import picocli.CommandLine;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;

/** Starts one node from flags and environment; SIGTERM drains it. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // Undertow and XNIO log through JBoss Logging: send it to SLF4J like everything else.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        NodeConfig config = new NodeConfig();
        CommandLine cli = new CommandLine(config);
        try {
            cli.parseArgs(args);
            if (cli.isUsageHelpRequested()) {
                cli.usage(System.out);
                return;
            }
            if (cli.isVersionHelpRequested()) {
                cli.printVersionHelp(System.out);
                return;
            }
            config.validate();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            System.err.println("roomcast: " + e.getMessage());
            System.err.println("Run with --help for every setting.");
            System.exit(2);
            return;
        }
        // Read by logback.xml when the first logger is made, which is after this: the flag wins over
        // the environment, and every line carries the node's id (random ids are drawn by validate()).
        System.setProperty("LOG_FORMAT", config.logFormat);
        System.setProperty("roomcast.node", config.nodeId);
        Node node;
        try {
            node = new Node(config).start();
        } catch (UncheckedIOException e) {
            // A busy port is the usual one: one line naming the address and the setting, no stack trace.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.err.println("roomcast: " + e.getMessage() + ": " + cause.getMessage()
                    + (cause instanceof BindException ? " (another process listens there: choose another port with PORT or --port)" : ""));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "shutdown"));
        System.out.println();
        System.out.println("  Roomcast node " + node.nodeId() + " is up.");
        System.out.println("  Play the demo: http://" + displayHost(config.host) + ":" + node.port() + "/   (open it in two tabs)");
        System.out.println("  WebSocket:     ws://" + displayHost(config.host) + ":" + node.port() + "/ws");
        switch (node.adminMode()) {
            case OPEN -> System.out.println("  Admin page:    http://" + displayHost(config.host) + ":" + node.port()
                    + "/admin   (no token: this node listens on loopback only)");
            case TOKEN -> System.out.println("  Admin page:    http://" + displayHost(config.host) + ":" + node.port()
                    + "/admin#token=<ADMIN_TOKEN>");
            case OFF -> { } // off: set ADMIN_TOKEN (docs/operations.md, "The admin page")
        }
        System.out.println();
    }

    private static String displayHost(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress() ? "localhost" : host;
        } catch (java.net.UnknownHostException e) {
            return host;
        }
    }
}
