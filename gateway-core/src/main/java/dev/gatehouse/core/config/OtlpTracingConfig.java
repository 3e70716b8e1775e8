package dev.gatehouse.core.config;

/**
 * {@code tracing.otlp}: where spans go. With neither {@code http} nor {@code grpc}, OTLP over HTTP to
 * {@code https://localhost:4318/v1/traces}, as Traefik. With both, gRPC wins, as in Traefik.
 */
@EnabledByPresence
public record OtlpTracingConfig(OtlpHttpConfig http, OtlpGrpcConfig grpc) {
}
