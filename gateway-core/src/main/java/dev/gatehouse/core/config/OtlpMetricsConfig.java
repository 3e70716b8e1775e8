package dev.gatehouse.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.otlp}: Traefik's metrics pushed to an OpenTelemetry collector over OTLP, with the names Traefik's
 * OpenTelemetry registry gives them ({@code traefik_entrypoint_requests_total}, ...). Enabled by presence; HTTP
 * unless {@code grpc} is given.
 *
 * @param http OTLP over HTTP (protobuf): the default, to {@code https://localhost:4318/v1/metrics}; the same keys
 *     as tracing's, as in Traefik
 * @param grpc OTLP over gRPC; used instead of HTTP when present
 * @param addEntryPointsLabels send entry point request metrics (default true)
 * @param addRoutersLabels send router request metrics (default false)
 * @param addServicesLabels send service request metrics (default true)
 * @param explicitBoundaries the request duration histogram's bucket boundaries in seconds (Traefik's defaults)
 * @param pushInterval how often the metrics are exported (default 10s)
 * @param serviceName the {@code service.name} resource attribute (default {@code traefik}, as Traefik)
 * @param resourceAttributes more resource attributes; they override the defaults
 */
@EnabledByPresence
public record OtlpMetricsConfig(OtlpHttpConfig http, OtlpGrpcConfig grpc, Boolean addEntryPointsLabels, Boolean addRoutersLabels,
        Boolean addServicesLabels, List<Double> explicitBoundaries, Duration pushInterval, String serviceName,
        Map<String, String> resourceAttributes) {

    public static final List<Double> DEFAULT_BOUNDARIES =
            List.of(.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0);

    public OtlpMetricsConfig {
        PushedMetricsDefaults.checkPushInterval(pushInterval);
        explicitBoundaries = explicitBoundaries == null || explicitBoundaries.isEmpty() ? DEFAULT_BOUNDARIES
                : List.copyOf(explicitBoundaries);
        double previous = Double.NEGATIVE_INFINITY;
        for (Double boundary : explicitBoundaries) {
            if (boundary == null || boundary <= previous) {
                throw new InvalidValueException("explicitBoundaries",
                        "explicitBoundaries must be increasing numbers of seconds, such as [0.1, 0.3, 1.2, 5]");
            }
            previous = boundary;
        }
        resourceAttributes = resourceAttributes == null ? Map.of() : Map.copyOf(resourceAttributes);
    }

    public String serviceNameOrDefault() {
        return serviceName == null || serviceName.isBlank() ? TracingConfig.DEFAULT_SERVICE_NAME : serviceName;
    }

    public Duration pushIntervalOrDefault() {
        return PushedMetricsDefaults.pushInterval(pushInterval);
    }

    public PushedMetricsDefaults.Labels labels() {
        return PushedMetricsDefaults.labels(addEntryPointsLabels, addRoutersLabels, addServicesLabels);
    }
}
