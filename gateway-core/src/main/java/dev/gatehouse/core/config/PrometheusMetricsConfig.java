package dev.gatehouse.core.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code metrics.prometheus}: metrics with Traefik's names, served as {@code GET /metrics}. Enabled by
 * presence ({@code --metrics.prometheus}, {@code prometheus: {}}).
 *
 * @param entryPoint the entry point serving {@code /metrics} (default {@code gatehouse}, {@code traefik} an
 *     alias; created on {@code :8080} when not configured, as for ping)
 * @param buckets request duration histogram buckets in seconds (default 0.1, 0.3, 1.2, 5.0, as Traefik)
 * @param addEntryPointsLabels per-entry-point request metrics (default true)
 * @param addRoutersLabels per-router request metrics (default false)
 * @param addServicesLabels per-service request metrics (default true)
 * @param manualRouting when true, {@code /metrics} is not answered ahead of the routers
 * @param prefix the first word of every metric name (default {@code traefik}, so Traefik dashboards work)
 * @param headerLabels extra labels of the {@code *_requests_total} counters, each to the request header whose
 *     value it takes (empty when the request has none), as in Traefik
 */
@EnabledByPresence
public record PrometheusMetricsConfig(String entryPoint, List<Double> buckets, Boolean addEntryPointsLabels,
        Boolean addRoutersLabels, Boolean addServicesLabels, Boolean manualRouting, String prefix,
        Map<String, String> headerLabels) {

    /** The labels the request counters have already: a header label cannot take one of their names. */
    private static final Set<String> REQUEST_LABELS = Set.of("code", "method", "protocol", "entrypoint", "router",
            "service");

    public static final List<Double> DEFAULT_BUCKETS = List.of(0.1, 0.3, 1.2, 5.0);

    public PrometheusMetricsConfig {
        buckets = buckets == null || buckets.isEmpty() ? DEFAULT_BUCKETS : List.copyOf(buckets);
        for (Double bucket : buckets) {
            if (bucket == null || bucket <= 0) {
                throw new InvalidValueException("buckets", "buckets must be positive numbers of seconds");
            }
        }
        if (prefix != null && !prefix.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
            throw new InvalidValueException("prefix", "invalid metric prefix '" + prefix + "' (letters, digits and _)");
        }
        headerLabels = headerLabels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(headerLabels));
        headerLabels.forEach((label, header) -> {
            if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*") || label.startsWith("__")) {
                throw new InvalidValueException("headerLabels", "metrics.prometheus.headerLabels: '" + label
                        + "' is not a Prometheus label name (letters, digits and _, not starting with a digit or __)");
            }
            if (REQUEST_LABELS.contains(label)) {
                throw new InvalidValueException("headerLabels", "metrics.prometheus.headerLabels: '" + label
                        + "' is already a label of the request metrics (" + String.join(", ", new TreeSet<>(REQUEST_LABELS))
                        + "): choose another name");
            }
            if (header == null || header.isBlank()) {
                throw new InvalidValueException("headerLabels", "metrics.prometheus.headerLabels." + label
                        + ": name the request header whose value the label takes (e.g. User-Agent)");
            }
        });
    }

    public String entryPointOrDefault() {
        return entryPoint == null || entryPoint.isBlank() ? PingConfig.DEFAULT_ENTRY_POINT : entryPoint;
    }

    public boolean addEntryPointsLabelsOrDefault() {
        return addEntryPointsLabels == null || addEntryPointsLabels;
    }

    public boolean addRoutersLabelsOrDefault() {
        return Boolean.TRUE.equals(addRoutersLabels);
    }

    public boolean addServicesLabelsOrDefault() {
        return addServicesLabels == null || addServicesLabels;
    }

    public boolean manualRoutingOrDefault() {
        return Boolean.TRUE.equals(manualRouting);
    }

    public String prefixOrDefault() {
        return prefix == null || prefix.isBlank() ? "traefik" : prefix;
    }
}
