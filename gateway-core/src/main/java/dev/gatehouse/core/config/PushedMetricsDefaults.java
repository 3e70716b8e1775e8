package dev.gatehouse.core.config;

import java.time.Duration;

/** What the pushed metrics backends ({@code otlp}, {@code statsD}, {@code datadog}, {@code influxDB2}) share. */
public final class PushedMetricsDefaults {

    /** Traefik's default for every pushed backend. */
    public static final Duration PUSH_INTERVAL = Duration.ofSeconds(10);

    /** Which request metrics a backend sends: {@code addEntryPointsLabels} and the service one default to true. */
    public record Labels(boolean entryPoints, boolean routers, boolean services) {
    }

    private PushedMetricsDefaults() {
    }

    static Labels labels(Boolean entryPoints, Boolean routers, Boolean services) {
        return new Labels(entryPoints == null || entryPoints, Boolean.TRUE.equals(routers), services == null || services);
    }

    static Duration pushInterval(Duration configured) {
        return configured == null || configured.isZero() ? PUSH_INTERVAL : configured;
    }

    static void checkPushInterval(Duration pushInterval) {
        if (pushInterval != null && pushInterval.isNegative()) {
            throw new InvalidValueException("pushInterval", "pushInterval must be a positive duration such as 10s");
        }
    }
}
