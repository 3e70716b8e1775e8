package dev.gatehouse.core.config;

import java.util.Locale;
import java.util.Set;

/**
 * {@code log}.
 *
 * @param level TRACE, DEBUG, INFO, WARN or ERROR, any case; default INFO. Stored upper case.
 * @param format {@code text} or {@code json}, any case; default text. Stored lower case.
 * @param filePath write the log to this file (appending) instead of standard error
 * @param noColor Traefik: no colours in the text format; accepted with no effect, since Gatehouse's text format
 *        never uses colours
 * @param otlp also send the log records to an OpenTelemetry collector (needs {@code experimental.otlpLogs})
 */
public record LogConfig(String level, String format, String filePath, Boolean noColor, OtlpLogsConfig otlp) {

    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    private static final Set<String> FORMATS = Set.of("text", "json");

    public LogConfig {
        if (level != null) {
            level = level.trim().toUpperCase(Locale.ROOT);
            if (!LEVELS.contains(level)) {
                throw new InvalidValueException("level",
                        "invalid log level '" + level + "' (expected TRACE, DEBUG, INFO, WARN or ERROR)");
            }
        }
        if (format != null) {
            format = format.trim().toLowerCase(Locale.ROOT);
            if (format.equals("common")) {
                // Traefik names its text format "common" (its default); many static files spell it out
                format = "text";
            }
            if (!FORMATS.contains(format)) {
                throw new InvalidValueException("format", "invalid log format '" + format + "' (expected text or json)");
            }
        }
    }

    public String levelOrDefault() {
        return level == null ? "INFO" : level;
    }

    public String formatOrDefault() {
        return format == null ? "text" : format;
    }
}
