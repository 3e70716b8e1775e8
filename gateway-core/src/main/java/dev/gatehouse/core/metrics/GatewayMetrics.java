package dev.gatehouse.core.metrics;

import dev.gatehouse.core.config.PrometheusMetricsConfig;
import dev.gatehouse.core.dynamic.ProviderHealth;
import dev.gatehouse.core.observe.RequestRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's metrics, with Traefik's names ({@code traefik_entrypoint_requests_total},
 * {@code traefik_service_request_duration_seconds}, ...; the prefix is configurable) so that existing
 * dashboards work, kept in a Micrometer Prometheus registry.
 *
 * <p>Which label sets a request counts in, and their per-request caching, is {@link RequestMetricsFeed}'s (shared
 * with the pushed backends of {@link MetricsBackends}); this class makes the Micrometer meters of each.
 *
 * <p>What describes the gateway's state rather than its traffic (certificate expiry, server health) is read
 * from its sources at each scrape, so that it is never stale and needs no bookkeeping on reload.
 */
public final class GatewayMetrics implements Consumer<RequestRecord> {

    private static final String PROTOCOL = "http";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /**
     * At most this many series of the request counters with {@code headerLabels} values, all together: the values
     * come from clients, and each new one would otherwise keep a series in memory for good. Past it, new values
     * are counted with the label value {@value #OVERFLOW_VALUE}.
     */
    static final int MAX_HEADER_LABEL_SERIES = 10_000;
    /**
     * The longest {@code headerLabels} value kept as it is; a longer one counts as {@value #OVERFLOW_VALUE}. Without
     * it the series cap alone would still let clients keep 10,000 values of up to a request head's size (16 KiB)
     * in memory, and in every scrape: 160 MiB.
     */
    static final int MAX_HEADER_LABEL_VALUE_LENGTH = 128;
    static final String OVERFLOW_VALUE = "other";
    private static final Logger LOG = LoggerFactory.getLogger(GatewayMetrics.class);

    private final String prefix;
    private final Duration[] buckets;
    /** {@code headerLabels}: label name to request header, sorted by label. */
    private final Map<String, String> headerLabels;
    private final AtomicInteger headerLabelSeries = new AtomicInteger();
    private final RequestMetricsFeed<Meters, RequestMetricsFeed.TlsSeries> requests;
    private final Counter reloads;
    private final Counter reloadFailures;
    private final AtomicLong lastReloadSuccess = new AtomicLong();
    private final AtomicBoolean overflowLogged = new AtomicBoolean();
    private final MultiGauge openConnections;
    private final MultiGauge certificatesNotAfter;
    private final MultiGauge serverUp;
    private final MultiGauge providerUp;
    private final MultiGauge providerLastUpdate;
    /** Read at each scrape: the same sources the pushed backends read at each push. */
    private volatile GatewayGauges gauges = GatewayGauges.NONE;
    /** The extension counters' series already registered as meters; guarded by the scrape's lock. */
    private final Set<ExtensionCounters.CounterSeries> exportedSeries =
            Collections.newSetFromMap(new IdentityHashMap<>());

    public GatewayMetrics(PrometheusMetricsConfig config) {
        prefix = config.prefixOrDefault();
        headerLabels = config.headerLabels();
        buckets = config.buckets().stream().map(seconds -> Duration.ofNanos((long) (seconds * 1e9))).toArray(Duration[]::new);
        requests = new RequestMetricsFeed<>(new RequestMetricsFeed.Switches(config.addEntryPointsLabelsOrDefault(),
                config.addRoutersLabelsOrDefault(), config.addServicesLabelsOrDefault()), this::requestMeters, this::tlsCounter);
        reloads = Counter.builder(prefix + ".config.reloads").description("Configuration reloads").register(registry);
        reloadFailures = Counter.builder(prefix + ".config.reloads.failure")
                .description("Configuration reloads that failed").register(registry);
        Gauge.builder(prefix + ".config.last.reload.success", lastReloadSuccess, AtomicLong::doubleValue)
                .description("Last successful configuration reload, as a Unix timestamp").register(registry);
        openConnections = MultiGauge.builder(prefix + ".open.connections")
                .description("Connections open on the entry point").register(registry);
        certificatesNotAfter = MultiGauge.builder(prefix + ".tls.certs.not.after")
                .description("Expiry of each certificate served, as a Unix timestamp").register(registry);
        serverUp = MultiGauge.builder(prefix + ".service.server.up")
                .description("Whether each server of a service gets traffic (1) or is down (0)").register(registry);
        providerUp = MultiGauge.builder(prefix + ".provider.up")
                .description("Whether each provider reads its source (1) or not (0: starting, down or failed)")
                .register(registry);
        providerLastUpdate = MultiGauge.builder(prefix + ".provider.last.update.success")
                .description("When each provider last read its source and published, as a Unix timestamp")
                .register(registry);
    }

    private Meters requestMeters(RequestMetricsFeed.Kind kind, String name, String service, String method, String code) {
        Tags tags = Tags.of("code", code, "method", method, "protocol", PROTOCOL, kind.word, name);
        if (service != null) {
            tags = tags.and("service", service);
        }
        return new Meters(kind.word, tags);
    }

    /** {@code <prefix>_<word>_requests_tls_total} by {@code tls_version} and {@code tls_cipher}. */
    private RequestMetricsFeed.TlsSeries tlsCounter(RequestMetricsFeed.Kind kind, String name, String service,
            String version, String cipher) {
        Tags tags = Tags.of(kind.word, name, "tls_version", version, "tls_cipher", cipher);
        if (service != null) {
            tags = tags.and("service", service);
        }
        return Counter.builder(prefix + "." + kind.word + ".requests.tls")
                .description("How many HTTP requests with TLS were processed, by TLS version and cipher")
                .tags(tags).register(registry)::increment;
    }

    /** Where the gateway's state (open connections, servers up, certificates) is read at each scrape. */
    public void gauges(GatewayGauges gauges) {
        this.gauges = gauges;
    }

    /**
     * {@code <prefix>_plugin_load_failures_total}, one series per plugin that could not be loaded or started
     * (Gatehouse's own metric: Traefik's plugins are not loaded this way). Plugins load once, at start.
     *
     * @param plugins the id of each failed plugin, or its file name when the id could not be read
     */
    public void pluginLoadFailures(List<String> plugins) {
        for (String plugin : plugins) {
            Counter.builder(prefix + ".plugin.load.failures").description("Plugins that failed to load or start")
                    .tag("plugin", plugin).register(registry).increment();
        }
    }

    /** Counts one completed request; called on the thread that completed it. */
    @Override
    public void accept(RequestRecord record) {
        requests.accept(record, headerLabels.isEmpty() ? null : headerValues(record));
    }

    /**
     * The values of the {@code headerLabels} headers (empty for a missing one, {@value #OVERFLOW_VALUE} for one
     * longer than {@value #MAX_HEADER_LABEL_VALUE_LENGTH} characters), in the order of headerLabels.
     */
    private List<String> headerValues(RequestRecord record) {
        List<String> values = new ArrayList<>(headerLabels.size());
        for (String header : headerLabels.values()) {
            String value = record.requestHeaders.get(header);
            values.add(value == null ? "" : value.length() > MAX_HEADER_LABEL_VALUE_LENGTH ? OVERFLOW_VALUE : value);
        }
        return values;
    }

    /** The series of a label set (what {@link #accept} records into), for tests. */
    RequestMetricsFeed.RequestSeries series(RequestMetricsFeed.Kind kind, String name, String method, int status) {
        return requests.requestSeries(kind, name, null, method, status);
    }

    /** A configuration was applied (or failed to be). */
    public void configurationReloaded(boolean success) {
        reloads.increment();
        if (success) {
            lastReloadSuccess.set(System.currentTimeMillis() / 1000);
        } else {
            reloadFailures.increment();
        }
    }

    /** The Prometheus text exposition of every metric. */
    public synchronized String scrape() {
        GatewayGauges state = gauges;
        List<MultiGauge.Row<?>> open = new ArrayList<>();
        state.openConnectionsByProtocol().forEach(row -> open.add(MultiGauge.Row.of(
                Tags.of("entrypoint", row.entryPoint(), "protocol", row.protocol()), row.open())));
        openConnections.register(open, true);
        List<MultiGauge.Row<?>> certs = new ArrayList<>();
        for (GatewayGauges.Certificate certificate : state.distinctCertificates()) {
            certs.add(MultiGauge.Row.of(Tags.of("cn", certificate.commonName(), "serial", certificate.serial(),
                    "sans", certificate.sans()), certificate.notAfterEpochSeconds()));
        }
        certificatesNotAfter.register(certs, true);
        List<MultiGauge.Row<?>> up = new ArrayList<>();
        state.servers().get().forEach((service, urls) -> urls.forEach((url, isUp) ->
                up.add(MultiGauge.Row.of(Tags.of("service", service, "url", url), isUp ? 1 : 0))));
        serverUp.register(up, true);
        List<MultiGauge.Row<?>> providersUp = new ArrayList<>();
        List<MultiGauge.Row<?>> providersUpdated = new ArrayList<>();
        for (ProviderHealth.Status status : state.providers().get()) {
            Tags provider = Tags.of("provider", status.provider());
            providersUp.add(MultiGauge.Row.of(provider, status.up() ? 1 : 0));
            if (status.lastPublished() != null) {
                providersUpdated.add(MultiGauge.Row.of(provider, status.lastPublished().getEpochSecond()));
            }
        }
        providerUp.register(providersUp, true);
        providerLastUpdate.register(providersUpdated, true);
        registerExtensionCounters(state.extensionCounters());
        return registry.scrape();
    }

    /**
     * {@code <prefix>_<name>_total} for each series of the extensions' counters not yet exported: a meter that reads the
     * series' count at each scrape. Series never go away (a counter keeps its count), so each is registered once.
     */
    private void registerExtensionCounters(ExtensionCounters counters) {
        for (ExtensionCounters.Registered counter : counters.counters()) {
            for (ExtensionCounters.CounterSeries series : counter.series()) {
                if (exportedSeries.add(series)) {
                    Tags tags = Tags.empty();
                    for (int i = 0; i < counter.labelNames().size(); i++) {
                        tags = tags.and(counter.labelNames().get(i), series.labelValues().get(i));
                    }
                    FunctionCounter.builder(prefix + "." + counter.name(), series,
                            ExtensionCounters.CounterSeries::doubleValue)
                            .description(counter.help()).tags(tags).register(registry);
                }
            }
        }
    }

    /**
     * {@code <prefix>_<word>_requests_total}, {@code ..._request_duration_seconds}, request and response bytes. With
     * {@code headerLabels}, the requests counter has one series per combination of the headers' values (as Traefik's).
     */
    private final class Meters implements RequestMetricsFeed.RequestSeries {
        private final String requestsName;
        private final Tags tags;
        /** Without headerLabels, the one requests counter of this label set. */
        private final Counter requests;
        /** With headerLabels, the requests counters by the headers' values (in the order of headerLabels). */
        private final Map<List<String>, Counter> requestsByHeaders = new ConcurrentHashMap<>();
        private final Timer duration;
        private final Counter requestBytes;
        private final Counter responseBytes;

        Meters(String word, Tags tags) {
            String base = prefix + "." + word;
            this.tags = tags;
            requestsName = base + ".requests";
            requests = headerLabels.isEmpty() ? requestsCounter(tags) : null;
            duration = Timer.builder(base + ".request.duration").description("How long HTTP requests took")
                    .serviceLevelObjectives(buckets).tags(tags).register(registry);
            requestBytes = Counter.builder(base + ".requests.bytes").description("Bytes of request bodies received")
                    .tags(tags).register(registry);
            responseBytes = Counter.builder(base + ".responses.bytes").description("Bytes of response bodies sent")
                    .tags(tags).register(registry);
        }

        private Counter requestsCounter(Tags tags) {
            return Counter.builder(requestsName).description("How many HTTP requests were processed")
                    .tags(tags).register(registry);
        }

        @Override
        public void record(List<String> values, long nanos, long requestBodyBytes, long responseBodyBytes) {
            if (requests != null) {
                requests.increment();
            } else {
                Counter counter = requestsByHeaders.get(values);
                if (counter == null) {
                    counter = requestsByHeaders.computeIfAbsent(
                            headerLabelSeries.incrementAndGet() > MAX_HEADER_LABEL_SERIES ? overflow() : values,
                            this::headerCounter);
                }
                counter.increment();
            }
            recordOthers(nanos, requestBodyBytes, responseBodyBytes);
        }

        private List<String> overflow() {
            headerLabelSeries.decrementAndGet();
            if (overflowLogged.compareAndSet(false, true)) {
                LOG.warn("metrics.prometheus.headerLabels: more than {} different header values seen; further new "
                        + "values are counted with the label value '{}'", MAX_HEADER_LABEL_SERIES, OVERFLOW_VALUE);
            }
            return Collections.nCopies(headerLabels.size(), OVERFLOW_VALUE);
        }

        private Counter headerCounter(List<String> values) {
            Tags withHeaders = tags;
            int i = 0;
            for (String label : headerLabels.keySet()) {
                withHeaders = withHeaders.and(label, values.get(i++));
            }
            return requestsCounter(withHeaders);
        }

        /** Not called by the feed, which passes the header values; without them, they are empty. */
        @Override
        public void record(long nanos, long requestBodyBytes, long responseBodyBytes) {
            record(Collections.nCopies(headerLabels.size(), ""), nanos, requestBodyBytes, responseBodyBytes);
        }

        private void recordOthers(long nanos, long requestBodyBytes, long responseBodyBytes) {
            duration.record(nanos, TimeUnit.NANOSECONDS);
            requestBytes.increment(requestBodyBytes);
            responseBytes.increment(responseBodyBytes);
        }
    }
}
