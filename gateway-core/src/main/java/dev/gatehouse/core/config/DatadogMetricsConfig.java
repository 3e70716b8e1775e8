package dev.gatehouse.core.config;

import java.time.Duration;

/**
 * {@code metrics.datadog}: Traefik's metrics pushed to a Datadog agent in the DogStatsD format, labels as tags.
 * Enabled by presence.
 *
 * @param address {@code host:port} of the agent over UDP (default {@code $DD_AGENT_HOST:$DD_DOGSTATSD_PORT}, else
 *     {@code localhost:8125}); the agent's Unix sockets ({@code unix://}, {@code unixgram://}, {@code unixstream://})
 *     are refused with a message: Java has no Unix datagram sockets
 * @param pushInterval how often the metrics are sent (default 10s)
 * @param addEntryPointsLabels send entry point request metrics (default true)
 * @param addRoutersLabels send router request metrics (default false)
 * @param addServicesLabels send service request metrics (default true)
 * @param prefix the first word of every metric name (default {@code traefik})
 */
@EnabledByPresence
public record DatadogMetricsConfig(String address, Duration pushInterval, Boolean addEntryPointsLabels,
        Boolean addRoutersLabels, Boolean addServicesLabels, String prefix) {

    public DatadogMetricsConfig {
        PushedMetricsDefaults.checkPushInterval(pushInterval);
        if (address != null && address.matches("unix(gram|stream)?://.*")) {
            throw new InvalidValueException("address", "'" + address + "': sending to the Datadog agent's Unix socket is"
                    + " not supported by Gatehouse; give the agent's UDP address as host:port (its dogstatsd_port, 8125)");
        }
        if (address != null && !address.isBlank()) {
            HostPort.check("address", address, "localhost:8125");
        }
    }

    /** The address as configured, else from the agent's environment variables, as Traefik does. */
    public String addressOrDefault() {
        if (address != null && !address.isBlank()) {
            return address;
        }
        String host = System.getenv().getOrDefault("DD_AGENT_HOST", "localhost");
        String port = System.getenv().getOrDefault("DD_DOGSTATSD_PORT", "8125");
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
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
