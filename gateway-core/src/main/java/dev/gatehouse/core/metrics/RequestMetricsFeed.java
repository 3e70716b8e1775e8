package dev.gatehouse.core.metrics;

import dev.gatehouse.core.observe.RequestRecord;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Feeds each completed request to the series of one metrics backend, with Traefik's label sets: per entry point,
 * router (with its service) and service, each by method and status code, and TLS requests a second time by TLS
 * version and cipher. Every backend (Prometheus, OTLP, StatsD, Datadog, InfluxDB 2) gets its series through one of
 * these, so what is counted, and when a request is left out, is decided here once.
 *
 * <p>Per request, finding a series allocates nothing: series are cached per name (the same string instances every
 * time), then per method, then in an array indexed by status code; TLS series per name, version and cipher (the
 * session's strings). A series is created by the backend's factory the first time its label set is seen.
 *
 * @param <R> a backend's request series
 * @param <T> a backend's TLS series
 */
public final class RequestMetricsFeed<R extends RequestMetricsFeed.RequestSeries, T extends RequestMetricsFeed.TlsSeries>
        implements Consumer<RequestRecord> {

    /** The kinds of request metrics, with the word Traefik uses in their names and labels. */
    public enum Kind {
        ENTRYPOINT("entrypoint"), ROUTER("router"), SERVICE("service");

        /** {@code entrypoint}, {@code router} or {@code service}: the metric-name word and the label name. */
        public final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    /** The counters and histogram of one label set. */
    public interface RequestSeries {
        void record(long durationNanos, long requestBytes, long responseBytes);

        /**
         * The same, with the values of Prometheus's {@code headerLabels} headers, read once per request for the
         * entry point's, router's and service's series alike.
         *
         * @param headerValues null when the backend has no header labels
         */
        default void record(List<String> headerValues, long durationNanos, long requestBytes, long responseBytes) {
            record(durationNanos, requestBytes, responseBytes);
        }
    }

    /** The TLS request counter of one label set. */
    public interface TlsSeries {
        void increment();
    }

    /** Makes a backend's series for a label set seen for the first time. */
    public interface RequestSeriesFactory<R> {
        /**
         * @param service the router's service for {@link Kind#ROUTER}, else null
         * @param method upper case
         * @param code the status code, {@code "0"} when none was sent
         */
        R create(Kind kind, String name, String service, String method, String code);
    }

    /** Makes a backend's TLS series for a label set seen for the first time. */
    public interface TlsSeriesFactory<T> {
        /** @param version as Go names it ({@code 1.3}) */
        T create(Kind kind, String name, String service, String version, String cipher);
    }

    /** Which kinds a backend counts ({@code addEntryPointsLabels}, {@code addRoutersLabels}, {@code addServicesLabels}). */
    public record Switches(boolean entryPoints, boolean routers, boolean services) {
    }

    private final Switches switches;
    private final BySeries<R> entryPointSeries;
    private final BySeries<R> routerSeries;
    private final BySeries<R> serviceSeries;
    private final ByTls<T> entryPointTls;
    private final ByTls<T> routerTls;
    private final ByTls<T> serviceTls;

    public RequestMetricsFeed(Switches switches, RequestSeriesFactory<R> requests, TlsSeriesFactory<T> tls) {
        this.switches = switches;
        entryPointSeries = new BySeries<>(Kind.ENTRYPOINT, requests);
        routerSeries = new BySeries<>(Kind.ROUTER, requests);
        serviceSeries = new BySeries<>(Kind.SERVICE, requests);
        entryPointTls = new ByTls<>(Kind.ENTRYPOINT, tls);
        routerTls = new ByTls<>(Kind.ROUTER, tls);
        serviceTls = new ByTls<>(Kind.SERVICE, tls);
    }

    /** Counts one completed request; called on the thread that completed it. */
    @Override
    public void accept(RequestRecord record) {
        accept(record, null);
    }

    /**
     * The same, for a backend with header labels.
     *
     * @param headerValues what {@link RequestSeries#record(List, long, long, long)} gets; null for none
     */
    public void accept(RequestRecord record, List<String> headerValues) {
        if (!record.metrics()) {
            return;   // observability.metrics: false on its router or entry point, as Traefik's metrics middleware skips it
        }
        long nanos = record.durationNanos();
        long requestBytes = Math.max(0, record.requestContentLength);
        long responseBytes = record.bytes();
        String tlsVersion = record.tlsVersion;
        int status = record.status();
        if (switches.entryPoints()) {
            if (tlsVersion != null) {
                entryPointTls.series(record.entryPoint, null, tlsVersion, record.tlsCipher).increment();
            }
            entryPointSeries.series(record.entryPoint, null, record.method, status)
                    .record(headerValues, nanos, requestBytes, responseBytes);
        }
        String router = record.router();
        String service = record.service();
        if (switches.routers() && router != null) {
            if (tlsVersion != null) {
                routerTls.series(router, service, tlsVersion, record.tlsCipher).increment();
            }
            routerSeries.series(router, service, record.method, status).record(headerValues, nanos, requestBytes, responseBytes);
        }
        if (switches.services() && service != null) {
            if (tlsVersion != null) {
                serviceTls.series(service, null, tlsVersion, record.tlsCipher).increment();
            }
            serviceSeries.series(service, null, record.method, status).record(headerValues, nanos, requestBytes, responseBytes);
        }
    }

    /**
     * The series of a label set, made on first use: what {@link #accept} records into. {@code status} outside
     * 100-599 is counted as {@code 0}.
     */
    public R requestSeries(Kind kind, String name, String service, String method, int status) {
        return switch (kind) {
            case ENTRYPOINT -> entryPointSeries.series(name, service, method, status);
            case ROUTER -> routerSeries.series(name, service, method, status);
            case SERVICE -> serviceSeries.series(name, service, method, status);
        };
    }

    /** Every request series made so far, of every kind (for backends that read them at each push). */
    public void forEachRequestSeries(Consumer<? super R> action) {
        entryPointSeries.forEach(action);
        routerSeries.forEach(action);
        serviceSeries.forEach(action);
    }

    /** Every TLS series made so far, of every kind. */
    public void forEachTlsSeries(Consumer<? super T> action) {
        entryPointTls.forEach(action);
        routerTls.forEach(action);
        serviceTls.forEach(action);
    }

    /** The request series of one kind, by name, method and status code. */
    private static final class BySeries<R> {
        private final Kind kind;
        private final RequestSeriesFactory<R> factory;
        private final ConcurrentHashMap<String, ConcurrentHashMap<String, AtomicReferenceArray<R>>> byName =
                new ConcurrentHashMap<>();

        BySeries(Kind kind, RequestSeriesFactory<R> factory) {
            this.kind = kind;
            this.factory = factory;
        }

        R series(String name, String service, String method, int status) {
            ConcurrentHashMap<String, AtomicReferenceArray<R>> byMethod = byName.get(name);
            if (byMethod == null) {
                byMethod = byName.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
            }
            AtomicReferenceArray<R> byStatus = byMethod.get(method);
            if (byStatus == null) {
                byStatus = byMethod.computeIfAbsent(method, m -> new AtomicReferenceArray<>(600));
            }
            int code = status >= 100 && status < 600 ? status : 0;
            R series = byStatus.get(code);
            if (series == null) {
                synchronized (byStatus) {   // one series per label set even when two threads see it first at once
                    series = byStatus.get(code);
                    if (series == null) {
                        series = factory.create(kind, name, service, method.toUpperCase(Locale.ROOT), String.valueOf(code));
                        byStatus.set(code, series);
                    }
                }
            }
            return series;
        }

        void forEach(Consumer<? super R> action) {
            for (ConcurrentHashMap<String, AtomicReferenceArray<R>> byMethod : byName.values()) {
                for (AtomicReferenceArray<R> byStatus : byMethod.values()) {
                    for (int i = 0; i < byStatus.length(); i++) {
                        R series = byStatus.get(i);
                        if (series != null) {
                            action.accept(series);
                        }
                    }
                }
            }
        }
    }

    /** The TLS series of one kind, by name, TLS version and cipher. */
    private static final class ByTls<T> {
        private final Kind kind;
        private final TlsSeriesFactory<T> factory;
        private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, T>>> byName =
                new ConcurrentHashMap<>();

        ByTls(Kind kind, TlsSeriesFactory<T> factory) {
            this.kind = kind;
            this.factory = factory;
        }

        T series(String name, String service, String version, String cipher) {
            ConcurrentHashMap<String, ConcurrentHashMap<String, T>> byVersion = byName.get(name);
            if (byVersion == null) {
                byVersion = byName.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
            }
            ConcurrentHashMap<String, T> byCipher = byVersion.get(version);
            if (byCipher == null) {
                byCipher = byVersion.computeIfAbsent(version, v -> new ConcurrentHashMap<>());
            }
            T series = byCipher.get(cipher);
            if (series == null) {
                series = byCipher.computeIfAbsent(cipher, c -> factory.create(kind, name, service, version, c));
            }
            return series;
        }

        void forEach(Consumer<? super T> action) {
            byName.values().forEach(byVersion -> byVersion.values().forEach(byCipher -> byCipher.values().forEach(action)));
        }
    }
}
