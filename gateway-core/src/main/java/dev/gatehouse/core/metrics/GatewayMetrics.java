package dev.gatehouse.core.metrics;

import dev.gatehouse.core.config.PrometheusMetricsConfig;
import dev.gatehouse.core.observe.RequestRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's metrics, with Traefik's names ({@code traefik_entrypoint_requests_total},
 * {@code traefik_service_request_duration_seconds}, ...; the prefix is configurable) so that existing
 * dashboards work, kept in a Micrometer Prometheus registry.
 *
 * <p>Per request, finding the meters of a label set allocates nothing: meters are cached per entry point,
 * router or service name (the same string instances every time), then per method, then in an array indexed
 * by status code.
 */
public final class GatewayMetrics implements Consumer<RequestRecord> {

    private static final String PROTOCOL = "http";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String prefix;
    private final Duration[] buckets;
    private final boolean entryPoints;
    private final boolean routers;
    private final boolean services;
    private final Family entryPointFamily;
    private final Family routerFamily;
    private final Family serviceFamily;
    private final Counter reloads;
    private final Counter reloadFailures;
    private final AtomicLong lastReloadSuccess = new AtomicLong();

    public GatewayMetrics(PrometheusMetricsConfig config) {
        prefix = config.prefixOrDefault();
        buckets = config.buckets().stream().map(seconds -> Duration.ofNanos((long) (seconds * 1e9))).toArray(Duration[]::new);
        entryPoints = config.addEntryPointsLabelsOrDefault();
        routers = config.addRoutersLabelsOrDefault();
        services = config.addServicesLabelsOrDefault();
        entryPointFamily = new Family("entrypoint", "entrypoint");
        routerFamily = new Family("router", "router");
        serviceFamily = new Family("service", "service");
        reloads = Counter.builder(prefix + ".config.reloads").description("Configuration reloads").register(registry);
        reloadFailures = Counter.builder(prefix + ".config.reloads.failure")
                .description("Configuration reloads that failed").register(registry);
        Gauge.builder(prefix + ".config.last.reload.success", lastReloadSuccess, AtomicLong::doubleValue)
                .description("Last successful configuration reload, as a Unix timestamp").register(registry);
    }

    /** Counts one completed request; called on the thread that completed it. */
    @Override
    public void accept(RequestRecord record) {
        long nanos = record.durationNanos();
        long requestBytes = Math.max(0, record.requestContentLength);
        if (entryPoints) {
            entryPointFamily.meters(record.entryPoint, null, record.method, record.status()).record(nanos, requestBytes,
                    record.bytes());
        }
        if (routers && record.router() != null) {
            routerFamily.meters(record.router(), record.service(), record.method, record.status())
                    .record(nanos, requestBytes, record.bytes());
        }
        if (services && record.service() != null) {
            serviceFamily.meters(record.service(), null, record.method, record.status()).record(nanos, requestBytes,
                    record.bytes());
        }
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

    /** Registers a gauge such as open connections; the function is read at each scrape. */
    public <T> void gauge(String name, String description, Tags tags, T target, ToDoubleFunction<T> value) {
        Gauge.builder(prefix + "." + name, target, value).description(description).tags(tags).register(registry);
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    /** The meters of one kind of label (entry point, router or service), cached without per-request allocation. */
    private final class Family {
        private final String metricWord;
        private final String labelName;
        private final ConcurrentHashMap<String, ConcurrentHashMap<String, AtomicReferenceArray<Meters>>> byName =
                new ConcurrentHashMap<>();

        Family(String metricWord, String labelName) {
            this.metricWord = metricWord;
            this.labelName = labelName;
        }

        Meters meters(String name, String service, String method, int status) {
            ConcurrentHashMap<String, AtomicReferenceArray<Meters>> byMethod = byName.get(name);
            if (byMethod == null) {
                byMethod = byName.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
            }
            AtomicReferenceArray<Meters> byStatus = byMethod.get(method);
            if (byStatus == null) {
                byStatus = byMethod.computeIfAbsent(method, m -> new AtomicReferenceArray<>(600));
            }
            int code = status >= 100 && status < 600 ? status : 0;
            Meters meters = byStatus.get(code);
            if (meters == null) {
                Tags tags = Tags.of("code", String.valueOf(code), "method", method.toUpperCase(Locale.ROOT),
                        "protocol", PROTOCOL, labelName, name);
                if (service != null) {
                    tags = tags.and("service", service);
                }
                byStatus.compareAndSet(code, null, new Meters(metricWord, tags));
                meters = byStatus.get(code);
            }
            return meters;
        }
    }

    /** {@code <prefix>_<word>_requests_total}, {@code ..._request_duration_seconds}, request and response bytes. */
    private final class Meters {
        private final Counter requests;
        private final Timer duration;
        private final Counter requestBytes;
        private final Counter responseBytes;

        Meters(String word, Tags tags) {
            String base = prefix + "." + word;
            requests = Counter.builder(base + ".requests").description("How many HTTP requests were processed")
                    .tags(tags).register(registry);
            duration = Timer.builder(base + ".request.duration").description("How long HTTP requests took")
                    .serviceLevelObjectives(buckets).tags(tags).register(registry);
            requestBytes = Counter.builder(base + ".requests.bytes").description("Bytes of request bodies received")
                    .tags(tags).register(registry);
            responseBytes = Counter.builder(base + ".responses.bytes").description("Bytes of response bodies sent")
                    .tags(tags).register(registry);
        }

        void record(long nanos, long requestBodyBytes, long responseBodyBytes) {
            requests.increment();
            duration.record(nanos, TimeUnit.NANOSECONDS);
            requestBytes.increment(requestBodyBytes);
            responseBytes.increment(responseBodyBytes);
        }
    }
}
