package dev.gatehouse.core.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line, with the keys Traefik's JSON log uses ({@code level}, {@code msg},
 * {@code time}) plus {@code logger} and, for failures, {@code error}.
 */
final class JsonFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        StringBuilder json = new StringBuilder(160);
        json.append("{\"time\":\"").append(Instant.ofEpochMilli(record.getMillis())).append('"');
        json.append(",\"level\":\"").append(Logging.levelName(record.getLevel()).toLowerCase(java.util.Locale.ROOT)).append('"');
        json.append(",\"logger\":");
        quote(json, record.getLoggerName() == null ? "" : record.getLoggerName());
        json.append(",\"msg\":");
        quote(json, formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            json.append(",\"error\":");
            quote(json, trace.toString());
        }
        return json.append("}\n").toString();
    }

    private static void quote(StringBuilder out, String value) {
        JsonText.quote(out, value);
    }
}
