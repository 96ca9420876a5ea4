package io.roomcast.bots;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the summary, the JSON and the HTML report say where a figure does not exist: play's loss, a heap not yet counted. */
class ReportTest {

    private static final long MIB = 1024 * 1024;

    private static String summary(Report report) {
        StringWriter out = new StringWriter();
        Summary.print(report, new PrintWriter(out, true));
        return out.toString();
    }

    private static Report report(String scenario) {
        Report report = new Report();
        report.scenario = scenario;
        report.windowSeconds = 10;
        report.messageKind = "messages";
        return report;
    }

    @Test
    void aScenarioWithNoFixedExpectationPrintsNoLoss() {
        Report play = report("play");
        play.hasExpectation = false;
        play.messageKind = "room states received; no loss figure";
        play.delivered = 2_000;

        String text = summary(play);
        assertFalse(text.matches("(?s).*loss [0-9].*"), "no loss figure, which could only ever be 0: " + text);
        assertTrue(text.contains("delivered 2000, 200.0 delivered/s"), text);
        @SuppressWarnings("unchecked")
        Map<String, Object> messages = (Map<String, Object>) play.toJson().get("messages");
        assertNull(messages.get("loss"));
        assertNull(messages.get("expected"));
        assertNull(messages.get("lost"));
        assertFalse(HtmlReport.render(play).contains(">loss<"), "no loss in the HTML report either");
    }

    @Test
    void aScenarioWithAnExpectationStillPrintsItsLoss() {
        Report w1 = report("w1");
        w1.expected = 1_000;
        w1.delivered = 990;
        assertTrue(summary(w1).contains("expected 1000, delivered 990, loss 1.0000%"), summary(w1));
        @SuppressWarnings("unchecked")
        Map<String, Object> messages = (Map<String, Object>) w1.toJson().get("messages");
        assertEquals(0.01, messages.get("loss"));
    }

    /** A wall-clock step during a run made every tick-to-client sample negative: printed as 0.00 ms before. */
    @Test
    void latenciesBelowZeroAreCountedInTheSummaryNotShownAsZeroAlone() {
        Latency tickToClient = new Latency("tick_to_client", "state received - its server time");
        tickToClient.record(-150_000, true);
        tickToClient.record(-140_000, true);
        tickToClient.record(3_000, true);
        tickToClient.drainWindow();
        Report w2 = report("w2");
        w2.latencies.add(Report.LatencySummary.of(tickToClient));

        String text = summary(w2);
        assertTrue(text.contains("(n=3)  2 out of range (below 0: the clocks disagree)"), text);
        Latency fine = new Latency("input_to_visible", "input sent -> state with it");
        fine.record(30_000, true);
        fine.drainWindow();
        Report ok = report("w2");
        ok.latencies.add(Report.LatencySummary.of(fine));
        assertFalse(summary(ok).contains("out of range"), summary(ok));
    }

    @Test
    void aHeapCounterOfZeroIsNotMeasuredNeverZeroMib() {
        Report.ProcessUsage node = new Report.ProcessUsage();
        node.label = "node-1";
        node.pid = "42";
        // A ZGC node that has not collected yet: its hsperfdata heap counters are still 0.
        node.readHeap(new HsPerf.Reading(0, 400 * MIB, 0, 0), new HsPerf.Reading(0, 400 * MIB, 0, 0));
        assertNull(node.heapUsedBytes);
        assertTrue(node.heapNote.contains("no GC yet"), node.heapNote);
        Report report = report("w1");
        report.processes.add(node);
        String text = summary(report);
        assertTrue(text.contains("heap not measured: no GC yet"), text);
        assertFalse(text.contains("heap 0.0 MiB"), text);
        assertTrue(HtmlReport.render(report).contains("not measured: no GC yet"), "the HTML's heap cell says so too");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) ((java.util.List<Object>) ((Map<String, Object>) report.toJson().get("cpu")).get("servers")).get(0);
        assertTrue(json.containsKey("heap_used_mib") && json.get("heap_used_mib") == null, json.toString());
        assertTrue(String.valueOf(json.get("heap_note")).contains("no GC yet"), json.toString());
    }

    @Test
    void aCountedHeapIsReportedWithTheWindowsPauses() {
        Report.ProcessUsage node = new Report.ProcessUsage();
        node.label = "node-1";
        node.pid = "42";
        node.readHeap(new HsPerf.Reading(40 * MIB, 400 * MIB, 3, 0.010), new HsPerf.Reading(52 * MIB, 400 * MIB, 5, 0.014));
        assertEquals(52 * MIB, node.heapUsedBytes);
        assertNull(node.heapNote);
        assertEquals(2, node.gcCount);
        Report report = report("w1");
        report.processes.add(node);
        assertTrue(summary(report).contains("heap 52.0 MiB, gc pauses 2 (0.004 s)"), summary(report));
    }

    /** Sleeps in a JVM of its own: a fresh ZGC heap, for the test below. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(30_000);
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aFreshZgcJvmIsReadAsAFigureOrAsNotMeasuredNeverAsZero() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process sleeper = new ProcessBuilder(java, "-XX:+UseZGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Sleeper.class.getName()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String pid = Long.toString(sleeper.pid());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Optional<HsPerf.Reading> reading = HsPerf.read(pid);
            while (reading.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                reading = HsPerf.read(pid);
            }
            assertTrue(reading.isPresent(), "the sleeper's hsperfdata file (java.io.tmpdir/hsperfdata_<user>/" + pid + ")");
            Report.ProcessUsage usage = new Report.ProcessUsage();
            usage.readHeap(reading.get(), reading.get());
            System.out.printf("fresh ZGC JVM: hsperfdata heap used %d bytes, %d pauses -> heap %s%n",
                    reading.get().heapUsed(), reading.get().gcPauses(), usage.heapText());
            assertEquals(reading.get().heapUsed() > 0, usage.heapUsedBytes != null, usage.heapText());
            assertTrue(usage.heapUsedBytes == null ? usage.heapNote != null : usage.heapUsedBytes > 0, usage.heapText());
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
