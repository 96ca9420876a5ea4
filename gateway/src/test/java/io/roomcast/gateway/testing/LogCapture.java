package io.roomcast.gateway.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What went wrong on a node's threads while it is held: every WARN or ERROR line logged (the
 * node's own, and Undertow's and XNIO's, which reach Logback through JBoss Logging: XNIO logs an
 * exception a channel listener threw, it does not let it kill the I/O thread), and every
 * exception that ended a thread. For "nothing escaped" checks under load.
 */
public final class LogCapture implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private final Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                IThrowableProxy thrown = event.getThrowableProxy();
                lines.add(event.getLevel() + " [" + event.getThreadName() + "] " + event.getLoggerName() + " - "
                        + event.getFormattedMessage() + (thrown == null ? "" : " " + thrown.getClassName() + ": " + thrown.getMessage()));
            }
        }
    };

    private LogCapture() {
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    }

    /**
     * Starts capturing; checks first that a line XNIO logs the way it logs a listener's exception
     * (JBoss Logging, ERROR) is caught, so an empty capture means nothing happened.
     */
    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        // A logger of its own that logs to the capture only: the check prints nothing.
        Logger check = (Logger) LoggerFactory.getLogger("org.xnio.log-capture-check");
        check.setAdditive(false);
        check.addAppender(capture.appender);
        org.jboss.logging.Logger.getLogger(check.getName()).error("log capture check");
        check.detachAppender(capture.appender);
        if (capture.lines.size() != 1 || !capture.lines.getFirst().contains("log capture check")) {
            capture.close();
            throw new AssertionError("XNIO's log lines do not reach the capture: " + capture.lines);
        }
        capture.lines.clear();
        return capture;
    }

    /** The WARN and ERROR lines logged since the start, as "LEVEL [thread] logger - message exception". */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Exceptions that ended a thread since the start. */
    public List<Throwable> uncaught() {
        return List.copyOf(uncaught);
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        Thread.setDefaultUncaughtExceptionHandler(before);
    }
}
