package dev.gatehouse.core.metrics;

import dev.gatehouse.core.observe.RequestRecord;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * What happened since the last push, for the backends that send deltas at each interval as Traefik's go-kit clients
 * do (StatsD, DogStatsD, InfluxDB 2): per label set, the requests, the request and response bytes, and each request's
 * duration (StatsD timings and DogStatsD histograms send every value; InfluxDB gets percentiles of them). A push
 * {@linkplain #drain takes} these and starts the next interval at zero; label sets without traffic in an interval are
 * not sent, as go-kit does.
 *
 * <p>Recording allocates nothing per request: counts and durations go into fields and an array reused from one
 * interval to the next, under the series' own lock (held for a few additions by a request, for a copy by a push). An
 * interval keeps at most {@value #MAX_SAMPLES} durations per label set; more
 * are counted but not sent as values (bounded memory whatever the traffic).
 */
final class IntervalRequestMetrics implements Consumer<RequestRecord> {

    static final int MAX_SAMPLES = 10_000;

    /** Receives one interval's values, on the pushing thread. */
    interface Visitor {
        /**
         * @param durationsNanos the durations recorded, {@code durationCount} of them from index 0 (the array is
         *     reused: read it before returning)
         */
        void requests(Series series, long requests, long requestBytes, long responseBytes, long[] durationsNanos,
                int durationCount);

        void tls(Tls series, long requests);

        void configReloads(long reloads);

        /** @param epochSeconds when the last successful reload was, reported in the interval it happened */
        void lastReloadSuccess(long epochSeconds);
    }

    /**
     * One label set's requests. One lock guards the counts and durations, so that a push takes a request whole:
     * never its count in one interval and its bytes in the next.
     */
    static final class Series implements RequestMetricsFeed.RequestSeries {
        final RequestMetricsFeed.Kind kind;
        final String name;
        final String service;
        final String method;
        final String code;
        private long requests;
        private long requestBytes;
        private long responseBytes;
        private long[] durations = new long[16];
        private int durationCount;

        Series(RequestMetricsFeed.Kind kind, String name, String service, String method, String code) {
            this.kind = kind;
            this.name = name;
            this.service = service;
            this.method = method;
            this.code = code;
        }

        @Override
        public synchronized void record(long durationNanos, long requestBodyBytes, long responseBodyBytes) {
            requests++;
            requestBytes += requestBodyBytes;
            responseBytes += responseBodyBytes;
            if (durationCount == durations.length && durationCount < MAX_SAMPLES) {
                // grows to the busiest interval's size once, then is reused
                durations = Arrays.copyOf(durations, Math.min(MAX_SAMPLES, durations.length * 2));
            }
            if (durationCount < durations.length) {
                durations[durationCount++] = durationNanos;
            }
        }

        /**
         * Hands this interval's values to {@code visitor} (durations copied into {@code scratch}, grown when needed)
         * and starts the next interval; nothing when the interval had no request.
         *
         * @return the scratch array, for the next series
         */
        long[] drainTo(Visitor visitor, long[] scratch) {
            long drainedRequests;
            long drainedRequestBytes;
            long drainedResponseBytes;
            int drainedDurations;
            // Only the copy holds the lock: the visitor formats up to MAX_SAMPLES values (and InfluxDB's sorts them),
            // which requests of this label set must not wait for.
            synchronized (this) {
                if (requests == 0) {
                    return scratch;
                }
                if (scratch.length < durationCount) {
                    scratch = new long[durations.length];
                }
                System.arraycopy(durations, 0, scratch, 0, durationCount);
                drainedRequests = requests;
                drainedRequestBytes = requestBytes;
                drainedResponseBytes = responseBytes;
                drainedDurations = durationCount;
                requests = 0;
                requestBytes = 0;
                responseBytes = 0;
                durationCount = 0;
            }
            visitor.requests(this, drainedRequests, drainedRequestBytes, drainedResponseBytes, scratch, drainedDurations);
            return scratch;
        }
    }

    /** One label set's TLS requests. */
    static final class Tls implements RequestMetricsFeed.TlsSeries {
        final RequestMetricsFeed.Kind kind;
        final String name;
        final String service;
        final String version;
        final String cipher;
        private final LongAdder requests = new LongAdder();

        Tls(RequestMetricsFeed.Kind kind, String name, String service, String version, String cipher) {
            this.kind = kind;
            this.name = name;
            this.service = service;
            this.version = version;
            this.cipher = cipher;
        }

        @Override
        public void increment() {
            requests.increment();
        }
    }

    private final RequestMetricsFeed<Series, Tls> feed;
    private final LongAdder reloads = new LongAdder();
    /** The last successful reload not yet pushed, in epoch seconds; -1 when there is none. */
    private final AtomicLong lastReloadSuccess = new AtomicLong(-1);
    /** Only the pushing thread uses these. */
    private long[] scratch = new long[16];

    IntervalRequestMetrics(RequestMetricsFeed.Switches switches) {
        feed = new RequestMetricsFeed<>(switches, Series::new, Tls::new);
    }

    @Override
    public void accept(RequestRecord record) {
        feed.accept(record);
    }

    /** The series of a label set (what {@link #accept} records into), for tests. */
    Series series(RequestMetricsFeed.Kind kind, String name, String service, String method, int status) {
        return feed.requestSeries(kind, name, service, method, status);
    }

    void configurationReloaded(boolean success) {
        reloads.increment();
        if (success) {
            lastReloadSuccess.set(System.currentTimeMillis() / 1000);
        }
    }

    /** Hands the interval's values to {@code visitor} and starts the next interval; one pushing thread at a time. */
    synchronized void drain(Visitor visitor) {
        long reloadCount = reloads.sumThenReset();
        if (reloadCount > 0) {
            visitor.configReloads(reloadCount);
        }
        long lastSuccess = lastReloadSuccess.getAndSet(-1);
        if (lastSuccess >= 0) {
            visitor.lastReloadSuccess(lastSuccess);
        }
        feed.forEachRequestSeries(series -> scratch = series.drainTo(visitor, scratch));
        feed.forEachTlsSeries(tls -> {
            long requests = tls.requests.sumThenReset();
            if (requests > 0) {
                visitor.tls(tls, requests);
            }
        });
    }
}
