package dev.gatehouse.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LibraryLogLimiterTest {

    private final AtomicLong clock = new AtomicLong();
    private final LibraryLogLimiter limiter = new LibraryLogLimiter(false, clock::get);

    private static LogRecord record(String logger, Level level, String message) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName(logger);
        return record;
    }

    private List<LogRecord> pass(String logger, int count) {
        List<LogRecord> passed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LogRecord record = record(logger, Level.WARNING, "bad message " + i);
            if (limiter.isLoggable(record)) {
                passed.add(record);
            }
        }
        return passed;
    }

    @Test
    void aLibraryLoggerGetsABoundedNumberOfLinesPerWindowThenSaysHowManyItSuppressed() {
        List<LogRecord> passed = pass("org.eclipse.jetty.server.HttpChannel", 2000);
        assertEquals(LibraryLogLimiter.LINES_PER_WINDOW + 1, passed.size());
        assertTrue(passed.get(passed.size() - 1).getMessage().contains("suppressed"), passed.get(passed.size() - 1).getMessage());

        clock.addAndGet(LibraryLogLimiter.WINDOW_SECONDS * 1_000_000_000L);
        List<LogRecord> next = pass("org.eclipse.jetty.server.HttpChannel", 1);
        assertTrue(next.get(0).getMessage().contains("suppressed " + (2000 - LibraryLogLimiter.LINES_PER_WINDOW - 1)
                + " similar messages"), next.get(0).getMessage());
    }

    @Test
    void eachLoggerHasItsOwnBudgetAndTheGatewaysOwnMessagesAreNotLimited() {
        pass("org.eclipse.jetty.server.HttpChannel", 100);
        assertEquals(5, pass("org.eclipse.jetty.http2.HTTP2Session", 5).size());
        assertEquals(100, pass("dev.gatehouse.core.dynamic.ConfigurationWatcher", 100).size());
    }

    @Test
    void messagesAreCutAndControlCharactersEscaped() {
        LogRecord record = record("org.eclipse.jetty.server.HttpChannel", Level.WARNING,
                "Duplicate Host {0}");
        record.setParameters(new Object[] {"evil\r\n2026-01-01 INFO forged" + "x".repeat(10_000)});
        record.setThrown(new IllegalStateException("boom"));
        assertTrue(limiter.isLoggable(record));
        String message = record.getMessage();
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        assertTrue(message.contains("evil\\r\\n2026"), message);
        assertTrue(message.length() < LibraryLogLimiter.MAX_MESSAGE_CHARS + 100, "length " + message.length());
        assertNull(record.getThrown(), "no stack trace at the default level");
    }

    @Test
    void aLibraryAPluginBundlesLogsItsInfoLinesOnlyAtDebugAndIsLimitedLikeAnyLibrary() {
        // The Docker plugin's Apache HttpClient, relocated by its build: one INFO line per attempt to reach an engine
        // that is away, every 5 s, was shown at the default level.
        String httpClient = "dev.gatehouse.plugins.docker.internal.apache.hc.client5.http.impl.classic.HttpRequestRetryExec";
        assertFalse(limiter.isLoggable(record(httpClient, Level.INFO, "Recoverable I/O exception caught")));
        assertTrue(new LibraryLogLimiter(true, clock::get).isLoggable(record(httpClient, Level.INFO, "at DEBUG")));
        assertEquals(LibraryLogLimiter.LINES_PER_WINDOW + 1, pass(httpClient, 50).size(), "its warnings are limited");
        // The plugin's own classes are the gateway's code: neither hidden nor limited.
        assertTrue(limiter.isLoggable(record("dev.gatehouse.plugins.docker.DockerWatcher", Level.INFO, "Connected")));
        assertEquals(50, pass("dev.gatehouse.plugins.docker.DockerWatcher", 50).size());
    }
}
