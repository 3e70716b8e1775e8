package dev.gatehouse.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tracing}: OpenTelemetry traces of the requests, with Traefik's keys and meaning. Enabled by presence
 * ({@code --tracing}, {@code tracing: {}}), which sends OTLP over HTTP to {@code https://localhost:4318/v1/traces}.
 *
 * @param serviceName the {@code service.name} resource attribute; default {@code traefik}, Traefik's, so that
 *     existing dashboards and queries keep working
 * @param resourceAttributes more resource attributes ({@code deployment.environment: prod})
 * @param globalAttributes Traefik's deprecated name of {@code resourceAttributes}; merged under it
 * @param sampleRate the share of new traces recorded, 0.0 to 1.0 (default 1.0); a request that arrives with a
 *     {@code traceparent} follows its parent's decision
 * @param capturedRequestHeaders request headers recorded as {@code http.request.header.<name>} attributes
 * @param capturedResponseHeaders response headers recorded as {@code http.response.header.<name>} attributes
 * @param safeQueryParams query parameters whose values are kept; every other value is {@code REDACTED}
 * @param addInternals trace the gateway's own routers ({@code @internal}) too (default false)
 * @param otlp the exporter
 */
@EnabledByPresence
public record TracingConfig(String serviceName, Map<String, String> resourceAttributes,
        Map<String, String> globalAttributes, Double sampleRate, List<String> capturedRequestHeaders,
        List<String> capturedResponseHeaders, List<String> safeQueryParams, Boolean addInternals,
        OtlpTracingConfig otlp) {

    /** Traefik's default {@code service.name}. */
    public static final String DEFAULT_SERVICE_NAME = "traefik";

    public TracingConfig {
        if (sampleRate != null && (sampleRate.isNaN() || sampleRate < 0 || sampleRate > 1)) {
            throw new InvalidValueException("sampleRate", "sampleRate must be between 0.0 and 1.0, got " + sampleRate);
        }
        resourceAttributes = resourceAttributes == null ? Map.of() : Map.copyOf(resourceAttributes);
        globalAttributes = globalAttributes == null ? Map.of() : Map.copyOf(globalAttributes);
        capturedRequestHeaders = capturedRequestHeaders == null ? List.of() : List.copyOf(capturedRequestHeaders);
        capturedResponseHeaders = capturedResponseHeaders == null ? List.of() : List.copyOf(capturedResponseHeaders);
        safeQueryParams = safeQueryParams == null ? List.of() : List.copyOf(safeQueryParams);
    }

    public String serviceNameOrDefault() {
        return serviceName == null || serviceName.isBlank() ? DEFAULT_SERVICE_NAME : serviceName;
    }

    public double sampleRateOrDefault() {
        return sampleRate == null ? 1.0 : sampleRate;
    }

    public boolean addInternalsOrDefault() {
        return addInternals != null && addInternals;
    }

    /** {@code globalAttributes} overridden by {@code resourceAttributes}. */
    public Map<String, String> allResourceAttributes() {
        Map<String, String> all = new LinkedHashMap<>(globalAttributes);
        all.putAll(resourceAttributes);
        return all;
    }

    public OtlpTracingConfig otlpOrDefault() {
        return otlp == null ? new OtlpTracingConfig(null, null) : otlp;
    }
}
