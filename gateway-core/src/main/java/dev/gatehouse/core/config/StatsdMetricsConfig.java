package dev.gatehouse.core.config;

import java.time.Duration;

/**
 * {@code metrics.statsD}: Traefik's metrics pushed to a StatsD server over UDP, without labels (plain StatsD has
 * none: a metric's label sets are added up, as Traefik's StatsD client does). Enabled by presence.
 *
 * @param address {@code host:port} of the StatsD server (default {@code localhost:8125})
 * @param pushInterval how often the metrics are sent (default 10s)
 * @param addEntryPointsLabels send entry point request metrics (default true)
 * @param addRoutersLabels send router request metrics (default false)
 * @param addServicesLabels send service request metrics (default true)
 * @param prefix the first word of every metric name (default {@code traefik})
 */
@EnabledByPresence
public record StatsdMetricsConfig(String address, Duration pushInterval, Boolean addEntryPointsLabels,
        Boolean addRoutersLabels, Boolean addServicesLabels, String prefix) {

    public StatsdMetricsConfig {
        PushedMetricsDefaults.checkPushInterval(pushInterval);
        if (address != null && !address.isBlank()) {
            HostPort.check("address", address, "localhost:8125");
        }
    }

    public String addressOrDefault() {
        return address == null || address.isBlank() ? "localhost:8125" : address;
    }

    public Duration pushIntervalOrDefault() {
        return PushedMetricsDefaults.pushInterval(pushInterval);
    }

    public String prefixOrDefault() {
        return prefix == null || prefix.isBlank() ? "traefik" : prefix;
    }

    public PushedMetricsDefaults.Labels labels() {
        return PushedMetricsDefaults.labels(addEntryPointsLabels, addRoutersLabels, addServicesLabels);
    }
}
