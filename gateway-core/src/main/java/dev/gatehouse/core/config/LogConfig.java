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
 * @param maxSize megabytes of {@code filePath} before it is rotated; 0 or absent means 100, as in Traefik
 * @param maxAge days a rotated file is kept (by the time in its name); 0 or absent keeps them all
 * @param maxBackups how many rotated files are kept; 0 or absent keeps them all
 * @param compress Traefik: gzip the rotated files. Accepted with no effect: as in Traefik (whose documentation says
 *        so), rotated files are always gzipped
 */
public record LogConfig(String level, String format, String filePath, Boolean noColor, OtlpLogsConfig otlp,
        Integer maxSize, Integer maxAge, Integer maxBackups, Boolean compress) {

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
        requireNotNegative("maxSize", maxSize, "megabytes");
        requireNotNegative("maxAge", maxAge, "days");
        requireNotNegative("maxBackups", maxBackups, "files");
    }

    private static void requireNotNegative(String key, Integer value, String unit) {
        if (value != null && value < 0) {
            throw new InvalidValueException(key,
                    "log." + key + " must be 0 (no limit) or a positive number of " + unit + ", not " + value);
        }
    }

    public int maxSizeOrDefault() {
        return maxSize == null ? 0 : maxSize;
    }

    public int maxAgeOrDefault() {
        return maxAge == null ? 0 : maxAge;
    }

    public int maxBackupsOrDefault() {
        return maxBackups == null ? 0 : maxBackups;
    }

    public String levelOrDefault() {
        return level == null ? "INFO" : level;
    }

    public String formatOrDefault() {
        return format == null ? "text" : format;
    }
}
