package dev.gatehouse.core.config;

import java.util.Map;

/**
 * {@code log.otlp} and {@code accessLog.otlp}: the gateway's log or its access log sent as OpenTelemetry log
 * records. As in Traefik, needs {@code experimental.otlpLogs: true}; gRPC wins when both transports are set.
 *
 * @param serviceName the {@code service.name} resource attribute; default {@code traefik}, as in Traefik, so that
 *     dashboards built for Traefik keep working
 * @param resourceAttributes more resource attributes
 * @param http OTLP over HTTP (the default, to {@code https://localhost:4318/v1/logs})
 * @param grpc OTLP over gRPC
 */
@EnabledByPresence
public record OtlpLogsConfig(String serviceName, Map<String, String> resourceAttributes, OtlpHttpConfig http,
        OtlpGrpcConfig grpc) {

    public OtlpLogsConfig {
        resourceAttributes = resourceAttributes == null ? Map.of() : Map.copyOf(resourceAttributes);
    }

    public String serviceNameOrDefault() {
        return serviceName == null || serviceName.isBlank() ? TracingConfig.DEFAULT_SERVICE_NAME : serviceName;
    }
}
