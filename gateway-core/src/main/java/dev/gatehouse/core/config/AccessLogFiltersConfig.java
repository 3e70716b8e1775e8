package dev.gatehouse.core.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code accessLog.filters}: with no filter every request is logged; with filters, a request is logged when
 * any of them keeps it (Traefik's rule).
 *
 * @param statusCodes statuses or ranges ({@code 200}, {@code 300-302}): keeps requests answered with one of them
 * @param retryAttempts keep requests that were retried, whatever the other filters say
 * @param minDuration keep requests that took longer than this
 */
public record AccessLogFiltersConfig(List<String> statusCodes, Boolean retryAttempts, Duration minDuration) {

    public AccessLogFiltersConfig {
        statusCodes = statusCodes == null ? List.of() : List.copyOf(statusCodes);
        for (String range : statusCodes) {
            if (!range.strip().matches("\\d{3}(-\\d{3})?")) {
                throw new InvalidValueException("statusCodes", "invalid status or range '" + range
                        + "' (expected e.g. 200 or 300-302)");
            }
        }
    }
}
