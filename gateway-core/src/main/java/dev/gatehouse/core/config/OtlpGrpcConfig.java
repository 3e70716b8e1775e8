package dev.gatehouse.core.config;

import java.util.Map;

/**
 * {@code otlp.grpc} of tracing, OTLP logs and OTLP metrics: OTLP over gRPC (HTTP/2, gzip) to a collector.
 *
 * @param endpoint {@code <host>:<port>}; default {@code localhost:4317}
 * @param insecure plain HTTP/2 (h2c) instead of TLS (default false); with {@code tls} too, TLS is used, as in Traefik
 *     (whose gRPC client prefers TLS credentials to {@code insecure})
 * @param headers sent with every export, as gRPC metadata
 * @param tls how the collector is trusted
 */
@EnabledByPresence
public record OtlpGrpcConfig(String endpoint, Boolean insecure, Map<String, String> headers, OtlpClientTlsConfig tls) {

    public static final String DEFAULT_ENDPOINT = "localhost:4317";

    public OtlpGrpcConfig {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        if (endpoint != null && !endpoint.isBlank()) {
            HostPort.check("endpoint", endpoint, "collector:4317");
        }
    }

    public String endpointOrDefault() {
        return endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.strip();
    }

    /** Plain HTTP/2: {@code insecure} without {@code tls}. */
    public boolean insecureOrDefault() {
        return insecure != null && insecure && tls == null;
    }
}
