package dev.gatehouse.core.config;

import java.util.Locale;

/**
 * {@code accessLog}: one line per request, written off the request path. Enabled by presence
 * ({@code --accessLog}, {@code accessLog: {}}).
 *
 * @param filePath where lines go; standard output when absent
 * @param format {@code common} (Traefik's CLF with router, server URL and duration; the default),
 *     {@code genericCLF} (plain combined log format) or {@code json}
 * @param bufferingSize how many lines may wait in memory for the writer (default 1024); when the writer
 *     falls behind further, lines are dropped and counted rather than slowing requests
 * @param filters which requests are logged
 * @param fields which fields and headers the JSON format keeps, drops or redacts
 * @param otlp send each line as an OpenTelemetry log record too (needs {@code experimental.otlpLogs}); the file or
 *     standard output then gets nothing unless {@code dualOutput} is true, as in Traefik
 * @param dualOutput with {@code otlp}, write to the file or standard output as well (default false)
 * @param addInternals log the requests the gateway answers itself ({@code /ping}, the API and dashboard,
 *     {@code /metrics}, ACME challenges, routers whose service is {@code @internal}) too; default false, as Traefik
 */
@EnabledByPresence
public record AccessLogConfig(String filePath, String format, Integer bufferingSize, AccessLogFiltersConfig filters,
        AccessLogFieldsConfig fields, OtlpLogsConfig otlp, Boolean dualOutput, Boolean addInternals) {

    public AccessLogConfig {
        if (format != null && !format.isBlank()) {
            String f = format.strip().toLowerCase(Locale.ROOT);
            if (!f.equals("common") && !f.equals("genericclf") && !f.equals("json")) {
                throw new InvalidValueException("format", "invalid access log format '" + format
                        + "' (expected common, genericCLF or json)");
            }
        }
        if (bufferingSize != null && bufferingSize < 0) {
            throw new InvalidValueException("bufferingSize", "bufferingSize must not be negative");
        }
    }

    public boolean addInternalsOrDefault() {
        return addInternals != null && addInternals;
    }

    /** {@code common}, {@code genericclf} or {@code json}, lower case. */
    public String formatOrDefault() {
        return format == null || format.isBlank() ? "common" : format.strip().toLowerCase(Locale.ROOT);
    }

    public int bufferingSizeOrDefault() {
        return bufferingSize == null || bufferingSize == 0 ? 1024 : bufferingSize;
    }

    public AccessLogFiltersConfig filtersOrDefault() {
        return filters == null ? new AccessLogFiltersConfig(null, null, null) : filters;
    }

    public AccessLogFieldsConfig fieldsOrDefault() {
        return fields == null ? new AccessLogFieldsConfig(null, null, null) : fields;
    }
}
