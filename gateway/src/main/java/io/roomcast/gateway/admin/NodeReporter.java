package io.roomcast.gateway.admin;

import io.roomcast.gateway.cluster.NodeReports;
import io.roomcast.proto.cluster.NodeReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Writes this node's report for the admin page every second, on a thread of its own (making it
 * walks every room: not on the timer thread that wakes the rooms' ticks). Only in a cluster and
 * only while the admin page is on. {@link #start} and {@link #close} are for one thread.
 */
public final class NodeReporter implements AutoCloseable {

    /** How often a node rewrites its report. */
    public static final long EVERY_MILLIS = 1000;
    /** How long a report lives unless rewritten: a node gone for this long has no report. */
    public static final long TTL_MILLIS = 3000;

    private static final Logger log = LoggerFactory.getLogger(NodeReporter.class);

    private final String nodeId;
    private final NodeReports reports;
    private final Supplier<NodeReport> report;
    private ScheduledExecutorService thread;

    public NodeReporter(String nodeId, NodeReports reports, Supplier<NodeReport> report) {
        this.nodeId = nodeId;
        this.reports = reports;
        this.report = report;
    }

    public void start() {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "admin-report");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleAtFixedRate(this::publish, 0, EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void publish() {
        try {
            reports.publish(nodeId, report.get().toByteArray(), TTL_MILLIS).whenComplete((ok, failure) -> {
                if (failure != null) {
                    log.debug("admin report not written: {}", failure.toString()); // Redis down: /readyz says so
                }
            });
        } catch (RuntimeException e) {
            log.warn("admin report not made: {}", e.toString()); // and the next second tries again
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.shutdownNow();
            thread = null;
        }
    }
}
