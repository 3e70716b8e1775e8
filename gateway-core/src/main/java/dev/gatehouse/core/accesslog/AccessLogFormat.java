package dev.gatehouse.core.accesslog;

import dev.gatehouse.core.config.AccessLogFieldsConfig;
import dev.gatehouse.core.config.AccessLogHeadersConfig;
import dev.gatehouse.core.logging.JsonText;
import dev.gatehouse.core.observe.RequestRecord;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.http.HttpField;

/**
 * The three line formats of {@code accessLog.format}, as Traefik writes them.
 */
abstract class AccessLogFormat {

    private static final DateTimeFormatter CLF_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    abstract void append(StringBuilder line, RequestRecord entry);

    static AccessLogFormat of(String format, AccessLogFieldsConfig fields) {
        return switch (format) {
            case "json" -> new Json(fields);
            case "genericclf" -> new Clf(false);
            default -> new Clf(true);
        };
    }

    /**
     * {@code <client> - <user> [<time>] "<method> <path> <protocol>" <status> <size> "<referrer>" "<agent>"},
     * and, for Traefik's {@code common}, {@code <count> "<router>" "<server URL>" <duration>ms}.
     */
    private static final class Clf extends AccessLogFormat {
        private final boolean traefikFields;

        Clf(boolean traefikFields) {
            this.traefikFields = traefikFields;
        }

        @Override
        void append(StringBuilder line, RequestRecord e) {
            line.append(e.clientHost).append(" - ");
            unquoted(line, e.clientUsername());
            line.append(" [")
                    .append(CLF_TIME.format(ZonedDateTime.ofInstant(Instant.ofEpochMilli(e.startMillis), ZoneId.systemDefault())))
                    .append("] \"").append(e.method).append(' ').append(e.pathQuery).append(' ').append(e.protocol)
                    .append("\" ").append(e.status()).append(' ').append(e.bytes()).append(' ');
            quoted(line, e.requestHeaders.get("Referer"));
            line.append(' ');
            quoted(line, e.requestHeaders.get("User-Agent"));
            if (traefikFields) {
                line.append(' ').append(e.count()).append(' ');
                quoted(line, e.router());
                line.append(' ');
                quoted(line, e.serviceUrl());
                line.append(' ').append(e.durationNanos() / 1_000_000).append("ms");
            }
        }

        /** A bare field (the user): what would split it or the line (spaces, quotes, controls) becomes {@code ?}. */
        private static void unquoted(StringBuilder line, String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                line.append(c <= 0x20 || c == '"' || c == 0x7f ? '?' : c);
            }
        }

        private static void quoted(StringBuilder line, String value) {
            if (value == null || value.isEmpty()) {
                line.append("\"-\"");
                return;
            }
            line.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    line.append('\\');
                }
                line.append(c < 0x20 ? '?' : c);
            }
            line.append('"');
        }
    }

    /** One JSON object per line with Traefik's field names; fields and headers kept, dropped or redacted. */
    private static final class Json extends AccessLogFormat {
        private final AccessLogFieldsConfig fields;
        private final AccessLogHeadersConfig headers;

        Json(AccessLogFieldsConfig fields) {
            this.fields = fields;
            this.headers = fields.headersOrDefault();
        }

        @Override
        void append(StringBuilder line, RequestRecord e) {
            Map<String, Object> out = new TreeMap<>();
            put(out, "ClientAddr", e.clientHost + ":" + e.clientPort);
            put(out, "ClientHost", e.clientHost);
            put(out, "ClientPort", String.valueOf(e.clientPort));
            put(out, "ClientUsername", e.clientUsername());
            put(out, "DownstreamContentSize", e.bytes());
            put(out, "DownstreamStatus", e.status());
            put(out, "Duration", e.durationNanos());
            put(out, "RequestAddr", e.host);
            put(out, "RequestContentSize", Math.max(0, e.requestContentLength));
            put(out, "RequestCount", e.count());
            put(out, "RequestHost", e.host);
            put(out, "RequestMethod", e.method);
            put(out, "RequestPath", e.pathQuery);
            put(out, "RequestProtocol", e.protocol);
            put(out, "RequestScheme", e.scheme);
            put(out, "RouterName", e.router());
            put(out, "ServiceName", e.service());
            put(out, "ServiceURL", e.serviceUrl());
            put(out, "StartUTC", Instant.ofEpochMilli(e.startMillis).atOffset(ZoneOffset.UTC).toString());
            put(out, "entryPointName", e.entryPoint);
            for (HttpField field : e.requestHeaders) {
                String mode = mode(headers.names(), field.getName(), headers.defaultModeOrDefault());
                if (!mode.equals("drop")) {
                    out.put("request_" + field.getName(), mode.equals("redact") ? "REDACTED" : field.getValue());
                }
            }
            out.put("level", "info");
            out.put("msg", "");
            out.put("time", Instant.now().toString());
            line.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> entry : out.entrySet()) {
                if (!first) {
                    line.append(',');
                }
                first = false;
                string(line, entry.getKey());
                line.append(':');
                if (entry.getValue() instanceof Number number) {
                    line.append(number);
                } else {
                    string(line, String.valueOf(entry.getValue()));
                }
            }
            line.append('}');
        }

        private void put(Map<String, Object> out, String field, Object value) {
            if (value == null) {
                return;
            }
            String mode = mode(fields.names(), field, fields.defaultModeOrDefault());
            if (mode.equals("keep")) {
                out.put(field, value);
            } else if (mode.equals("redact")) {
                out.put(field, "REDACTED");
            }
        }

        private static String mode(Map<String, String> names, String name, String fallback) {
            for (Map.Entry<String, String> entry : names.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name)) {
                    return entry.getValue().strip().toLowerCase(Locale.ROOT);
                }
            }
            return fallback;
        }

        private static void string(StringBuilder out, String value) {
            JsonText.quote(out, value);
        }
    }
}
