package dev.gatehouse.core.config;

/**
 * {@code metrics}: Prometheus is scraped; the others are pushed at {@code pushInterval}. Several may be on at once,
 * each fed by the same requests.
 *
 * @param prometheus expose metrics in Prometheus' text format; null when off
 * @param otlp push to an OpenTelemetry collector over OTLP (HTTP or gRPC); null when off
 * @param statsD push to a StatsD server over UDP; null when off
 * @param datadog push to a Datadog agent (DogStatsD, with tags); null when off
 * @param influxDB2 write to InfluxDB 2's {@code /api/v2/write}; null when off
 * @param addInternals count the requests the gateway answers itself ({@code /ping}, the API and dashboard,
 *     {@code /metrics}, ACME challenges, routers whose service is {@code @internal}) too; default false, as Traefik
 */
public record MetricsConfig(PrometheusMetricsConfig prometheus, OtlpMetricsConfig otlp, StatsdMetricsConfig statsD,
        DatadogMetricsConfig datadog, InfluxDb2MetricsConfig influxDB2, Boolean addInternals) {

    public boolean addInternalsOrDefault() {
        return addInternals != null && addInternals;
    }
}
