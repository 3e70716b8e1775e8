package dev.gatehouse.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A metrics backend that is down is logged once a minute, naming it and its address, and once when it is back. */
class PushFailureLogTest {

    private static final Logger JUL = Logger.getLogger(PushFailureLog.class.getName());
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        JUL.addHandler(capture);
    }

    @AfterEach
    void release() {
        JUL.removeHandler(capture);
    }

    @Test
    void warnsOnceAMinuteWithTheCountOfFailuresInBetweenAndSaysWhenItWorksAgain() {
        AtomicLong now = new AtomicLong(0);
        PushFailureLog log = new PushFailureLog("metrics.statsD", "127.0.0.1:8125", now::get);
        ConnectException refused = new ConnectException("Connection refused");

        log.failed(PushFailureLog.reason(refused), refused);
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        log.failed(PushFailureLog.reason(refused), refused);
        log.failed(PushFailureLog.reason(refused), refused);
        assertEquals(1, records.size(), "one warning in the first minute");
        assertEquals(Level.WARNING, records.get(0).getLevel());
        assertEquals("metrics.statsD: could not send metrics to 127.0.0.1:8125: Connection refused; retrying at every"
                + " push (logged at most once a minute)", records.get(0).getMessage());
        assertTrue(records.get(0).getThrown() == null, "no stack trace at WARN");

        now.addAndGet(TimeUnit.SECONDS.toNanos(51));
        log.failed(PushFailureLog.reason(refused), refused);
        assertEquals(2, records.size(), "a minute after the first warning, the next");
        String second = records.get(1).getMessage();
        assertTrue(second.contains("(2 more failures since the last warning)"), second);

        log.succeeded();
        log.succeeded();
        assertEquals(3, records.size(), "'works again' once");
        assertEquals(Level.INFO, records.get(2).getLevel());
        assertEquals("metrics.statsD: sending metrics to 127.0.0.1:8125 works again", records.get(2).getMessage());
    }

    @Test
    void theReasonIsTheInnermostCausesMessageWithoutClassNames() {
        assertEquals("Connection refused", PushFailureLog.reason(new ConnectException("Connection refused")));
        assertEquals("connection refused", PushFailureLog.reason(new java.io.IOException(new ConnectException())));
        assertEquals("Failed to connect to /127.0.0.1:4318", PushFailureLog.reason(new RuntimeException(
                "java.net.ConnectException: Failed to connect to /127.0.0.1:4318",
                new ConnectException("java.net.ConnectException: Failed to connect to /127.0.0.1:4318"))));
        assertEquals("port unreachable", PushFailureLog.reason(new java.net.PortUnreachableException()));
        ConnectException fromHttpClient = new ConnectException();   // as java.net.http reports a refused connection
        fromHttpClient.initCause(new java.nio.channels.ClosedChannelException());
        assertEquals("connection refused", PushFailureLog.reason(fromHttpClient));
        assertEquals("HTTP 401: unauthorized", PushFailureLog.reason(new java.io.IOException("HTTP 401: unauthorized")));
    }
}
