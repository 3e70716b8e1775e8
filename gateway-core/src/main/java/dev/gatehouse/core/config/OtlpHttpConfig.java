package dev.gatehouse.core.config;

import java.util.Map;

/**
 * {@code otlp.http} of tracing, OTLP logs and OTLP metrics: OTLP over HTTP (protobuf, gzip) to a collector.
 *
 * @param endpoint {@code <scheme>://<host>:<port><path>}; default {@code https://localhost:4318}. Without a path the
 *     signal's standard one is used ({@code /v1/traces}, {@code /v1/logs}, {@code /v1/metrics}), as Traefik's exporters do
 * @param headers sent with every export (an API key, for example)
 * @param tls how the collector is trusted when the endpoint is {@code https}
 */
@EnabledByPresence
public record OtlpHttpConfig(String endpoint, Map<String, String> headers, OtlpClientTlsConfig tls) {

    public static final String DEFAULT_ENDPOINT = "https://localhost:4318";

    public OtlpHttpConfig {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        if (endpoint != null && !endpoint.isBlank()) {
            java.net.URI uri;
            try {
                uri = java.net.URI.create(endpoint.strip());
            } catch (IllegalArgumentException e) {
                throw new InvalidValueException("endpoint", "invalid collector endpoint '" + endpoint
                        + "' (expected <scheme>://<host>:<port><path>, such as http://collector:4318)");
            }
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new InvalidValueException("endpoint", "invalid collector endpoint '" + endpoint
                        + "' (expected <scheme>://<host>:<port><path> with scheme http or https, such as "
                        + "http://collector:4318)");
            }
        }
    }

    public String endpointOrDefault() {
        return endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.strip();
    }
}
