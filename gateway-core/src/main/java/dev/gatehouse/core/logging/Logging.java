package dev.gatehouse.core.logging;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.LogConfig;
import dev.gatehouse.core.otel.OtlpLogs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Sets up the gateway's log ({@code log.level}, {@code log.format}). Everything logs through SLF4J, which
 * is bound to java.util.logging; this installs one handler on stderr with the text or JSON formatter.
 * Nothing on the request path logs, so one synchronous handler is enough.
 */
public final class Logging {

    // Held here because java.util.logging keeps loggers only weakly: a level set on a logger nobody
    // references is lost when it is collected.
    private static final Logger JETTY = Logger.getLogger("org.eclipse.jetty");
    private static final Logger PF4J = Logger.getLogger("org.pf4j");
    /** Opens {@code log.filePath} again (after a rotation); null when the log goes to standard error. */
    private static volatile Runnable reopen;
    /** {@code log.otlp}, made at the first configuration and kept over reopenings; null when not configured. */
    private static volatile OtlpLogs otlp;

    private Logging() {
    }

    /**
     * @param level TRACE, DEBUG, INFO, WARN or ERROR
     * @param format {@code text} or {@code json}
     */
    public static void configure(String level, String format) {
        configure(level, format, System.err);
    }

    /**
     * Configures from {@code log}: to {@code log.filePath} (appended) when set, else standard error.
     *
     * @param resolve resolves a configured path the way the static configuration does
     */
    public static void configure(LogConfig config, Function<String, Path> resolve)
            throws IOException, ConfigurationException {
        PrintStream out = System.err;
        reopen = null;
        if (config.filePath() != null && !config.filePath().isBlank()) {
            Path file = resolve.apply(config.filePath());
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            // Traefik rotates its log file always (at 100 MB when maxSize is not set), so this does too.
            out = new PrintStream(new RotatingLogFile(file, config.maxSizeOrDefault(), config.maxBackupsOrDefault(),
                    config.maxAgeOrDefault(), Clock.systemUTC()), true, StandardCharsets.UTF_8);
        }
        configure(config.levelOrDefault(), config.formatOrDefault(), out);
        if (config.otlp() != null) {
            if (otlp == null) {
                otlp = OtlpLogs.start(config.otlp(), dev.gatehouse.core.Version.get(), "log.otlp", "gatehouse");
            }
            Handler handler = otlp.julHandler(new TextFormatter());
            Level level = Logger.getLogger("").getLevel();
            handler.setLevel(level);
            // What clients can make the libraries log is bounded on this output too.
            handler.setFilter(new LibraryLogLimiter(level.intValue() <= Level.FINE.intValue()));
            Logger.getLogger("").addHandler(handler);
        }
        if (config.filePath() != null && !config.filePath().isBlank()) {
            reopen = () -> {
                try {
                    // Installing a new handler closes the previous one, and with it the rotated file.
                    configure(config, resolve);
                } catch (IOException | ConfigurationException e) {
                    System.err.println("gatehouse: log.filePath " + config.filePath() + " cannot be reopened: " + e);
                }
            };
        }
    }

    /**
     * Reopens {@code log.filePath} at its configured path (SIGUSR1, after logrotate moved the file away); does
     * nothing when the log goes to standard error.
     */
    public static void reopen() {
        Runnable action = reopen;
        if (action != null) {
            action.run();
        }
    }

    /** Sends the log records still buffered for {@code log.otlp} and stops its exporter (at the gateway's stop). */
    public static void closeOtlp() {
        OtlpLogs current = otlp;
        otlp = null;
        if (current != null) {
            current.close();
        }
    }

    static void configure(String level, String format, PrintStream out) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Level julLevel = toJul(level);
        root.setLevel(julLevel);
        StreamHandler handler = new StreamHandler(out, "json".equalsIgnoreCase(format) ? new JsonFormatter() : new TextFormatter()) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(julLevel);
        handler.setFilter(new LibraryLogLimiter(julLevel.intValue() <= Level.FINE.intValue()));
        root.addHandler(handler);
        // Jetty and PF4J narrate their life cycle at INFO; the gateway says what matters in its own words.
        Level libraries = julLevel.intValue() <= Level.FINE.intValue() ? julLevel : Level.WARNING;
        JETTY.setLevel(libraries);
        PF4J.setLevel(libraries);
    }

    static Level toJul(String level) {
        return switch (level == null ? "INFO" : level.toUpperCase(Locale.ROOT)) {
            case "TRACE" -> Level.FINEST;
            case "DEBUG" -> Level.FINE;
            case "WARN", "WARNING" -> Level.WARNING;
            case "ERROR", "FATAL", "PANIC" -> Level.SEVERE;
            case "OFF" -> Level.OFF;
            default -> Level.INFO;
        };
    }

    static String levelName(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (value >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (value >= Level.INFO.intValue()) {
            return "INFO";
        }
        if (value >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    /** For tests and tools: the handlers now installed on the root logger. */
    static Handler[] rootHandlers() {
        return Logger.getLogger("").getHandlers();
    }
}
