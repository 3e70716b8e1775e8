package dev.gatehouse.core.metrics;

import dev.gatehouse.core.config.DatadogMetricsConfig;
import dev.gatehouse.core.config.InfluxDb2MetricsConfig;
import dev.gatehouse.core.config.MetricsConfig;
import dev.gatehouse.core.config.PushedMetricsDefaults;
import dev.gatehouse.core.config.StatsdMetricsConfig;
import dev.gatehouse.core.observe.RequestRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The metrics backends the gateway pushes to, as configured under {@code metrics} ({@code otlp}, {@code statsD},
 * {@code datadog}, {@code influxDB2}); Prometheus, which is scraped, is {@link GatewayMetrics}. Each is fed every
 * completed request; they start with the gateway and push their last values when it stops.
 */
public final class MetricsBackends implements Consumer<RequestRecord>, AutoCloseable {

    /** An array: iterating it on request threads allocates no iterator. */
    private final MetricsBackend[] backends;

    private MetricsBackends(List<MetricsBackend> backends) {
        this.backends = backends.toArray(new MetricsBackend[0]);
    }

    /**
     * The backends {@code config} turns on (none when it is null); nothing is opened until {@link #start()}.
     *
     * @param resolve where a relative file path of the configuration (influxDB2's token file) is read from; the TLS
     *     files of metrics.otlp are read from the working directory, as Traefik reads them
     */
    public static MetricsBackends of(MetricsConfig config, Function<String, Path> resolve) {
        List<MetricsBackend> backends = new ArrayList<>();
        if (config != null) {
            if (config.otlp() != null) {
                backends.add(new OtlpMetricsBackend(config.otlp()));
            }
            StatsdMetricsConfig statsd = config.statsD();
            if (statsd != null) {
                backends.add(new StatsdBackend("metrics.statsD", false, statsd.addressOrDefault(),
                        statsd.pushIntervalOrDefault(), statsd.prefixOrDefault(), switches(statsd.labels())));
            }
            DatadogMetricsConfig datadog = config.datadog();
            if (datadog != null) {
                backends.add(new StatsdBackend("metrics.datadog", true, datadog.addressOrDefault(),
                        datadog.pushIntervalOrDefault(), datadog.prefixOrDefault(), switches(datadog.labels())));
            }
            InfluxDb2MetricsConfig influx = config.influxDB2();
            if (influx != null) {
                backends.add(new InfluxDb2Backend(influx.addressOrDefault(), influx.tokenValue(resolve), influx.org(),
                        influx.bucket(), influx.pushIntervalOrDefault(), influx.additionalLabels(),
                        switches(influx.labels())));
            }
        }
        return new MetricsBackends(backends);
    }

    private static RequestMetricsFeed.Switches switches(PushedMetricsDefaults.Labels labels) {
        return new RequestMetricsFeed.Switches(labels.entryPoints(), labels.routers(), labels.services());
    }

    public boolean isEmpty() {
        return backends.length == 0;
    }

    public void start() {
        for (MetricsBackend backend : backends) {
            backend.start();
        }
    }

    @Override
    public void accept(RequestRecord record) {
        for (MetricsBackend backend : backends) {
            backend.accept(record);
        }
    }

    /** Where the gateway's state is read at each push; until called, none is sent. */
    public void gauges(GatewayGauges gauges) {
        for (MetricsBackend backend : backends) {
            backend.gauges(gauges);
        }
    }

    public void configurationReloaded(boolean success) {
        for (MetricsBackend backend : backends) {
            backend.configurationReloaded(success);
        }
    }

    @Override
    public void close() {
        for (MetricsBackend backend : backends) {
            backend.close();
        }
    }
}
