package dev.gatehouse.core.metrics;

import dev.gatehouse.core.Version;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.OtlpMetricsConfig;
import dev.gatehouse.core.config.PushedMetricsDefaults;
import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.otel.OtlpExporters;
import dev.gatehouse.core.otel.OtlpTarget;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * {@code metrics.otlp}: Traefik's metrics exported by the OpenTelemetry SDK over OTLP (HTTP/protobuf or gRPC, gzip),
 * with the instrument names, units and attributes Traefik's OpenTelemetry registry uses:
 * {@code traefik_entrypoint_requests_total} (counter, {@code code}, {@code method}, {@code protocol},
 * {@code entrypoint}), {@code traefik_entrypoint_request_duration_seconds} (histogram in seconds with
 * {@code explicitBoundaries}), {@code ..._requests_bytes_total}, {@code ..._responses_bytes_total},
 * {@code ..._requests_tls_total}, the same for {@code router} (with {@code service}) and {@code service}, and
 * {@code traefik_config_reloads_total} and {@code traefik_config_last_reload_success}. Cumulative temporality,
 * as Traefik's exporter.
 *
 * <p>Per request: the attributes of a label set are built once, when it is first seen; recording then only adds
 * to the SDK's storage for those attributes.
 */
final class OtlpMetricsBackend implements MetricsBackend {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(OtlpMetricsBackend.class);

    private final OtlpMetricsConfig config;
    private final AtomicLong lastReloadSuccess = new AtomicLong(-1);
    private volatile GatewayGauges gauges = GatewayGauges.NONE;
    /** Null until started and once closed. */
    private volatile SdkMeterProvider provider;
    private DoubleCounter configReloads;
    private volatile RequestMetricsFeed<OtelSeries, OtelTls> feed;
    /** The attributes of each extension counter series exported so far. */
    private final Map<ExtensionCounters.CounterSeries, Attributes> extensionAttributes = new ConcurrentHashMap<>();

    OtlpMetricsBackend(OtlpMetricsConfig config) {
        this.config = config;
    }

    @Override
    public synchronized void start() {
        MetricExporter exporter;
        try {
            OtlpTarget target = OtlpTarget.of(config.http(), config.grpc(), "/v1/metrics", "metrics.otlp");
            exporter = new FailureLoggingExporter(OtlpExporters.metrics(target),
                    new PushFailureLog("metrics.otlp", target.endpoint()));
        } catch (ConfigurationException e) {
            // As Traefik: the gateway runs without these metrics rather than not at all.
            LOG.error("{}; OpenTelemetry metrics are not exported", e.getMessage());
            return;
        }
        OtlpExporters.leaveMetricExportFailuresToTheGateway();
        provider = SdkMeterProvider.builder()
                .setResource(OtlpExporters.resource(config.serviceNameOrDefault(), Version.get(),
                        config.resourceAttributes(), System.getenv()))
                .registerMetricReader(PeriodicMetricReader.builder(exporter)
                        .setInterval(config.pushIntervalOrDefault()).build())
                .build();
        Meter meter = provider.meterBuilder(OtlpExporters.TRAEFIK_SCOPE).setInstrumentationVersion(Version.get()).build();
        configReloads = counter(meter, "traefik_config_reloads_total", "Config reloads");
        meter.gaugeBuilder("traefik_config_last_reload_success").setDescription("Last config reload success")
                .setUnit("ms").buildWithCallback(gauge -> {
                    long seconds = lastReloadSuccess.get();
                    if (seconds >= 0) {
                        gauge.record(seconds);
                    }
                });
        PushedMetricsDefaults.Labels labels = config.labels();
        // The gateway's state, read at each export.
        meter.gaugeBuilder("traefik_open_connections").setUnit("1")
                .setDescription("How many open connections exist, by entryPoint and protocol").buildWithCallback(gauge ->
                        gauges.openConnectionsByProtocol().forEach(row -> gauge.record(row.open(), Attributes.builder()
                                .put("entrypoint", row.entryPoint()).put("protocol", row.protocol()).build())));
        meter.gaugeBuilder("traefik_tls_certs_not_after").setUnit("s").setDescription("Certificate expiration timestamp")
                .buildWithCallback(gauge -> gauges.distinctCertificates().forEach(certificate -> gauge.record(
                        certificate.notAfterEpochSeconds(), Attributes.builder().put("cn", certificate.commonName())
                                .put("serial", certificate.serial()).put("sans", certificate.sans()).build())));
        // Gatehouse's own, as in the Prometheus scrape: whether each provider reads its source, and when it last did.
        meter.gaugeBuilder("traefik_provider_up").setUnit("1")
                .setDescription("Whether the provider reads its source now (1) or not (0)").buildWithCallback(gauge ->
                        gauges.providers().get().forEach(status -> gauge.record(status.up() ? 1 : 0,
                                Attributes.builder().put("provider", status.provider()).build())));
        meter.gaugeBuilder("traefik_provider_last_update_success").setUnit("s")
                .setDescription("When the provider last published a configuration (epoch seconds)").buildWithCallback(gauge ->
                        gauges.providers().get().stream().filter(status -> status.lastPublished() != null)
                                .forEach(status -> gauge.record(status.lastPublished().getEpochSecond(),
                                        Attributes.builder().put("provider", status.provider()).build())));
        if (labels.services()) {
            meter.gaugeBuilder("traefik_service_server_up").setUnit("1")
                    .setDescription("service server is up, described by gauge value of 0 or 1.").buildWithCallback(gauge ->
                            gauges.servers().get().forEach((service, urls) -> urls.forEach((url, up) -> gauge.record(
                                    up ? 1 : 0, Attributes.builder().put("service", service).put("url", url).build()))));
        }
        // The extensions' counters, declared as each is registered (most are when the first configuration is applied).
        Meter extensionMeter = meter;
        gauges.extensionCounters().whenRegistered(counter -> {
            if (provider != null) {
                declare(extensionMeter, counter);
            }
        });
        Map<RequestMetricsFeed.Kind, Instruments> byKind = new EnumMap<>(RequestMetricsFeed.Kind.class);
        for (RequestMetricsFeed.Kind kind : RequestMetricsFeed.Kind.values()) {
            byKind.put(kind, new Instruments(meter, kind, config.explicitBoundaries()));
        }
        feed = new RequestMetricsFeed<>(new RequestMetricsFeed.Switches(labels.entryPoints(), labels.routers(),
                labels.services()),
                (kind, name, service, method, code) -> new OtelSeries(byKind.get(kind),
                        attributes(kind, name, service).put("method", method).put("protocol", "http").put("code", code).build()),
                (kind, name, service, version, cipher) -> new OtelTls(byKind.get(kind).tls,
                        attributes(kind, name, service).put("tls_version", version).put("tls_cipher", cipher).build()));
    }

    /**
     * {@code traefik_<name>_total}, an asynchronous counter that reads each series' count at each export; a series'
     * attributes are built when the series is first exported.
     */
    private void declare(Meter meter, ExtensionCounters.Registered counter) {
        meter.counterBuilder("traefik_" + counter.name() + "_total").setDescription(counter.help()).setUnit("1")
                .buildWithCallback(measurement -> {
                    for (ExtensionCounters.CounterSeries series : counter.series()) {
                        measurement.record(series.value(), extensionAttributes.computeIfAbsent(series, known -> {
                            AttributesBuilder builder = Attributes.builder();
                            for (int i = 0; i < counter.labelNames().size(); i++) {
                                builder.put(counter.labelNames().get(i), known.labelValues().get(i));
                            }
                            return builder.build();
                        }));
                    }
                });
    }

    private static AttributesBuilder attributes(RequestMetricsFeed.Kind kind, String name, String service) {
        AttributesBuilder builder = Attributes.builder().put(kind.word, name);
        if (service != null) {
            builder.put("service", service);
        }
        return builder;
    }

    @Override
    public void accept(RequestRecord record) {
        RequestMetricsFeed<OtelSeries, OtelTls> current = feed;
        if (current != null) {
            current.accept(record);
        }
    }

    /** The series of a label set (what {@link #accept} records into) once started, for tests. */
    RequestMetricsFeed.RequestSeries series(RequestMetricsFeed.Kind kind, String name, String service, String method,
            int status) {
        return feed.requestSeries(kind, name, service, method, status);
    }

    @Override
    public void gauges(GatewayGauges gauges) {
        this.gauges = gauges;
    }

    @Override
    public void configurationReloaded(boolean success) {
        if (configReloads != null) {
            configReloads.add(1);
        }
        if (success) {
            lastReloadSuccess.set(System.currentTimeMillis() / 1000);
        }
    }

    /** Exports what is left (bounded), then stops the SDK's thread. */
    @Override
    public synchronized void close() {
        if (provider != null) {
            feed = null;
            provider.shutdown().join(10, TimeUnit.SECONDS);
            provider = null;
        }
    }

    private static DoubleCounter counter(Meter meter, String name, String description) {
        return meter.counterBuilder(name).ofDoubles().setDescription(description).setUnit("1").build();
    }

    /** The instruments of one kind, named as Traefik's OpenTelemetry registry names them. */
    private static final class Instruments {
        final DoubleCounter requests;
        final DoubleCounter tls;
        final DoubleHistogram duration;
        final DoubleCounter requestBytes;
        final DoubleCounter responseBytes;

        /** @param boundaries the duration histogram's buckets ({@code explicitBoundaries}) */
        Instruments(Meter meter, RequestMetricsFeed.Kind kind, List<Double> boundaries) {
            String base = "traefik_" + kind.word + "_";
            requests = counter(meter, base + "requests_total", "How many HTTP requests were processed, by "
                    + kind.word + ", status code, protocol and method.");
            tls = counter(meter, base + "requests_tls_total", "How many HTTP requests with TLS were processed, by "
                    + kind.word + ", TLS version and TLS cipher.");
            duration = meter.histogramBuilder(base + "request_duration_seconds").setUnit("s")
                    .setExplicitBucketBoundariesAdvice(boundaries)
                    .setDescription("How long it took to process the request, by " + kind.word
                            + ", status code, protocol and method.").build();
            requestBytes = counter(meter, base + "requests_bytes_total", "The total size of requests in bytes, by "
                    + kind.word + ", status code, protocol and method.");
            responseBytes = counter(meter, base + "responses_bytes_total", "The total size of responses in bytes, by "
                    + kind.word + ", status code, protocol and method.");
        }
    }

    /** One label set: its instruments and its attributes, built once. */
    private record OtelSeries(Instruments instruments, Attributes attributes) implements RequestMetricsFeed.RequestSeries {
        @Override
        public void record(long durationNanos, long requestBytes, long responseBytes) {
            instruments.requests.add(1, attributes);
            instruments.duration.record(durationNanos / 1e9, attributes);
            instruments.requestBytes.add(requestBytes, attributes);
            instruments.responseBytes.add(responseBytes, attributes);
        }
    }

    private record OtelTls(DoubleCounter counter, Attributes attributes) implements RequestMetricsFeed.TlsSeries {
        @Override
        public void increment() {
            counter.add(1, attributes);
        }
    }

    /**
     * Reports each export's outcome to the rate-limited log, and keeps one export in flight: the SDK's reader starts
     * the next export after one interval even when the previous one is still retrying (a collector that is down or
     * slow), and those would pile up until the sender refuses them. The values are cumulative, so an interval that is
     * skipped loses nothing: the next export carries it.
     */
    private static final class FailureLoggingExporter implements MetricExporter {
        private final MetricExporter delegate;
        private final PushFailureLog failures;
        private final AtomicBoolean exporting = new AtomicBoolean();

        FailureLoggingExporter(MetricExporter delegate, PushFailureLog failures) {
            this.delegate = delegate;
            this.failures = failures;
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            if (!exporting.compareAndSet(false, true)) {
                return CompletableResultCode.ofSuccess();   // the previous export still runs; the next one catches up
            }
            CompletableResultCode result;
            try {
                result = delegate.export(metrics);
            } catch (RuntimeException e) {
                exporting.set(false);
                throw e;
            }
            result.whenComplete(() -> {
                exporting.set(false);
                if (result.isSuccess()) {
                    failures.succeeded();
                } else {
                    Throwable cause = result.getFailureThrowable();
                    failures.failed(cause == null ? "the export failed" : PushFailureLog.reason(cause), cause);
                }
            });
            return result;
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return delegate.getAggregationTemporality(instrumentType);
        }
    }
}
