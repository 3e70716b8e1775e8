package dev.gatehouse.core.logging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Keeps what clients can make libraries log bounded. Jetty reports many per-request client mistakes (a bad
 * request line, two Host headers, a header too large, a connection closed early, a failed TLS handshake, an
 * HTTP/2 protocol error) with a log line that quotes what the client sent; 2,000 such requests wrote 30 MB.
 * So the records of every logger outside the gateway's own code ({@code dev.gatehouse}) pass this filter:
 * <ul>
 * <li>at most {@value #LINES_PER_WINDOW} lines per logger per {@value #WINDOW_SECONDS} seconds; the first one
 *     over says that more are being suppressed, and the next one let through says how many were;</li>
 * <li>each message cut to {@value #MAX_MESSAGE_CHARS} characters with control characters escaped (no forged
 *     log lines), and its exception reduced to one line: a stack trace only at DEBUG and below, where the
 *     operator asked for detail.</li>
 * </ul>
 * The gateway's own messages are not limited: they are about configuration and servers, not per request.
 * The libraries that plugins bundle count as libraries ({@link #isBundledLibrary}), and their INFO lines show
 * at DEBUG only.
 */
final class LibraryLogLimiter implements Filter {

    static final int LINES_PER_WINDOW = 10;
    static final int WINDOW_SECONDS = 60;
    static final int MAX_MESSAGE_CHARS = 300;
    private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;
    private static final String OWN_LOGGERS = "dev.gatehouse.";
    private static final String BUNDLED_LIBRARIES = "dev.gatehouse.plugins.";

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final boolean keepStackTraces;

    /**
     * @param keepStackTraces whether library exceptions keep their stack traces (the log level is DEBUG or finer)
     */
    LibraryLogLimiter(boolean keepStackTraces) {
        this(keepStackTraces, System::nanoTime);
    }

    LibraryLogLimiter(boolean keepStackTraces, LongSupplier nanoClock) {
        this.keepStackTraces = keepStackTraces;
        this.nanoClock = nanoClock;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        boolean bundled = isBundledLibrary(logger);
        if ((logger.startsWith(OWN_LOGGERS) && !bundled) || record.getLevel().intValue() < Level.INFO.intValue()) {
            return true;   // own messages; and debug output, which the operator turned on knowingly
        }
        if (bundled && !keepStackTraces && record.getLevel().intValue() < Level.WARNING.intValue()) {
            // Their INFO narration (Apache HttpClient's "Recoverable I/O exception ... retrying" on every attempt to
            // reach an engine that is away) shows at DEBUG only, as Jetty's and PF4J's: the plugin says what
            // matters in its own words, once.
            return false;
        }
        Window window = windows.computeIfAbsent(logger, name -> new Window());
        String note;
        synchronized (window) {
            long now = nanoClock.getAsLong();
            if (now - window.start >= WINDOW_NANOS) {
                window.start = now;
                window.suppressedBefore = window.suppressed;
                window.lines = 0;
                window.suppressed = 0;
            }
            window.lines++;
            if (window.lines > LINES_PER_WINDOW + 1) {
                window.suppressed++;
                return false;
            }
            if (window.lines == LINES_PER_WINDOW + 1) {
                note = " [more messages from this logger are suppressed for up to " + WINDOW_SECONDS + " s]";
            } else if (window.lines == 1 && window.suppressedBefore > 0) {
                note = " [suppressed " + window.suppressedBefore + " similar messages in the previous "
                        + WINDOW_SECONDS + " s]";
                window.suppressedBefore = 0;
            } else {
                note = "";
            }
        }
        bound(record, note);
        return true;
    }

    /**
     * A library a plugin bundles under its own package ({@code dev.gatehouse.plugins.<plugin>.internal.*}, where
     * the plugins' builds relocate them): a library like any other, though its logger's name looks like the
     * gateway's own.
     */
    static boolean isBundledLibrary(String logger) {
        return logger.startsWith(BUNDLED_LIBRARIES) && logger.indexOf(".internal.", BUNDLED_LIBRARIES.length()) > 0;
    }

    /** Rewrites the record as a bounded line: formatted, cut, escaped, exception on one line. */
    private void bound(LogRecord record, String note) {
        String message = new java.util.logging.SimpleFormatter().formatMessage(record);
        Throwable thrown = record.getThrown();
        if (thrown != null && !keepStackTraces) {
            message = message + ": " + thrown;
            record.setThrown(null);
        }
        record.setMessage(escape(message) + note);
        record.setParameters(null);
    }

    /** Control characters escaped, cut to {@link #MAX_MESSAGE_CHARS} with a count of the rest. */
    static String escape(String message) {
        return LogText.escape(message, MAX_MESSAGE_CHARS);
    }

    private static final class Window {
        long start = Long.MIN_VALUE / 2;
        int lines;
        long suppressed;
        long suppressedBefore;
    }
}
