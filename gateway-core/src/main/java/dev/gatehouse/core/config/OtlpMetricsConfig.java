package dev.gatehouse.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.otlp}: Traefik's metrics pushed to an OpenTelemetry collector over OTLP, with the names Traefik's
 * OpenTelemetry registry gives them ({@code traefik_entrypoint_requests_total}, ...). Enabled by presence; HTTP
 * unless {@code grpc} is given.
 *
 * @param http OTLP over HTTP (protobuf): the default, to {@code https://localhost:4318}
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
public record OtlpMetricsConfig(Http http, Grpc grpc, Boolean addEntryPointsLabels, Boolean addRoutersLabels,
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
        return serviceName == null || serviceName.isBlank() ? "traefik" : serviceName;
    }

    public Duration pushIntervalOrDefault() {
        return PushedMetricsDefaults.pushInterval(pushInterval);
    }

    public PushedMetricsDefaults.Labels labels() {
        return PushedMetricsDefaults.labels(addEntryPointsLabels, addRoutersLabels, addServicesLabels);
    }

    /** HTTP unless gRPC is configured, as Traefik chooses. */
    public Http httpOrDefault() {
        return http == null ? new Http(null, null, null) : http;
    }

    /**
     * {@code metrics.otlp.http}.
     *
     * @param endpoint {@code scheme://host:port[/path]} (default {@code https://localhost:4318}; the path defaults
     *     to {@code /v1/metrics})
     * @param headers sent with every export
     * @param tls the collector's CA, a client certificate, or {@code insecureSkipVerify}
     */
    @EnabledByPresence
    public record Http(String endpoint, Map<String, String> headers, ClientTls tls) {
        public Http {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            if (endpoint != null && !endpoint.isBlank() && !endpoint.matches("https?://[^/]+(/.*)?")) {
                throw new InvalidValueException("endpoint", "'" + endpoint
                        + "' is not an http:// or https:// URL (for example https://localhost:4318)");
            }
        }

        /** The URL exports are posted to: the endpoint, with {@code /v1/metrics} when it has no path. */
        public String metricsUrl() {
            String base = endpoint == null || endpoint.isBlank() ? "https://localhost:4318" : endpoint;
            return base.matches("https?://[^/]+/?") ? base.replaceAll("/$", "") + "/v1/metrics" : base;
        }
    }

    /**
     * {@code metrics.otlp.grpc}.
     *
     * @param endpoint {@code host:port} (default {@code localhost:4317})
     * @param insecure plain-text HTTP/2 instead of TLS
     * @param headers sent with every export
     * @param tls the collector's CA, a client certificate, or {@code insecureSkipVerify}
     */
    @EnabledByPresence
    public record Grpc(String endpoint, Boolean insecure, Map<String, String> headers, ClientTls tls) {
        public Grpc {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            if (endpoint != null && !endpoint.isBlank()) {
                PushedMetricsDefaults.checkHostPort("endpoint", endpoint);
            }
        }

        /** The URL the exporter dials: {@code http://} when insecure, else {@code https://}. */
        public String url() {
            String hostPort = endpoint == null || endpoint.isBlank() ? "localhost:4317" : endpoint;
            return (Boolean.TRUE.equals(insecure) ? "http://" : "https://") + hostPort;
        }
    }

    /**
     * Traefik's client TLS settings: PEM files (or PEM text) of the CA, a client certificate and its key.
     *
     * @param ca the certificate authority trusted for the collector (default: the system's)
     * @param cert a client certificate, with {@code key}
     * @param key the client certificate's private key
     * @param insecureSkipVerify accept any certificate from the collector
     */
    public record ClientTls(String ca, String cert, String key, Boolean insecureSkipVerify) {
        public ClientTls {
            if ((cert == null) != (key == null)) {
                throw new InvalidValueException(cert == null ? "cert" : "key",
                        "a client certificate needs both cert and key");
            }
        }
    }
}
