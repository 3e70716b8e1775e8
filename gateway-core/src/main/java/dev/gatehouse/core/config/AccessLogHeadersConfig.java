package dev.gatehouse.core.config;

import java.util.Locale;
import java.util.Map;

/**
 * {@code accessLog.fields.headers}: which request headers the JSON format logs.
 *
 * @param defaultMode for headers not named (default {@code drop}: headers can carry secrets)
 * @param names per header name ({@code User-Agent: keep}, {@code Authorization: redact})
 */
public record AccessLogHeadersConfig(String defaultMode, Map<String, String> names) {

    public AccessLogHeadersConfig {
        names = names == null ? Map.of() : Map.copyOf(names);
        AccessLogFieldsConfig.checkMode("defaultMode", defaultMode);
        names.forEach((header, mode) -> AccessLogFieldsConfig.checkMode("names." + header, mode));
    }

    public String defaultModeOrDefault() {
        return defaultMode == null ? "drop" : defaultMode.strip().toLowerCase(Locale.ROOT);
    }
}
