package dev.gatehouse.core.config;

import java.util.Locale;
import java.util.Map;

/**
 * {@code accessLog.fields} (JSON format): for each field, {@code keep}, {@code drop} or {@code redact}.
 *
 * @param defaultMode for fields not named in {@code names} (default {@code keep})
 * @param names per field ({@code ClientUsername: drop})
 * @param headers request headers, logged as {@code request_<Name>}; by default none
 */
public record AccessLogFieldsConfig(String defaultMode, Map<String, String> names, AccessLogHeadersConfig headers) {

    public AccessLogFieldsConfig {
        names = names == null ? Map.of() : Map.copyOf(names);
        checkMode("defaultMode", defaultMode);
        names.forEach((field, mode) -> checkMode("names." + field, mode));
    }

    static void checkMode(String key, String mode) {
        if (mode != null && !Map.of("keep", 1, "drop", 1, "redact", 1).containsKey(mode.strip().toLowerCase(Locale.ROOT))) {
            throw new InvalidValueException(key, "invalid mode '" + mode + "' (expected keep, drop or redact)");
        }
    }

    public String defaultModeOrDefault() {
        return defaultMode == null ? "keep" : defaultMode.strip().toLowerCase(Locale.ROOT);
    }

    public AccessLogHeadersConfig headersOrDefault() {
        return headers == null ? new AccessLogHeadersConfig(null, null) : headers;
    }
}
