package dev.gatehouse.core.config;

/**
 * {@code metrics}.
 *
 * @param prometheus expose metrics in Prometheus' text format; null when off
 */
public record MetricsConfig(PrometheusMetricsConfig prometheus) {
}
