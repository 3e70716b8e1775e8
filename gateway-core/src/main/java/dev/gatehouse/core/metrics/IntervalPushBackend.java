package dev.gatehouse.core.metrics;

import dev.gatehouse.core.observe.RequestRecord;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A backend that sends {@link IntervalRequestMetrics}' values every {@code pushInterval} from a thread of its own
 * (StatsD, DogStatsD, InfluxDB 2). Request threads only add to in-memory counters; a failed push is logged through
 * {@link PushFailureLog} and its values are dropped, as Traefik's go-kit clients drop them.
 */
abstract class IntervalPushBackend implements MetricsBackend {

    final IntervalRequestMetrics metrics;
    private final String key;
    private final Duration interval;
    private final PushFailureLog failures;
    private ScheduledExecutorService scheduler;
    /** Read at each push. */
    volatile GatewayGauges gauges = GatewayGauges.NONE;
    /** Each extension counter series' count at the previous push; the backend's thread only. */
    private final Map<ExtensionCounters.CounterSeries, Long> pushedCounts = new IdentityHashMap<>();

    /**
     * @param key the configuration key ({@code metrics.statsD}), for logs and the thread's name
     * @param address where it sends to, for logs
     */
    IntervalPushBackend(String key, String address, Duration interval, RequestMetricsFeed.Switches switches) {
        this.key = key;
        this.interval = interval;
        this.metrics = new IntervalRequestMetrics(switches);
        this.failures = new PushFailureLog(key, address);
    }

    /**
     * Sends the values {@link IntervalRequestMetrics#drain} hands over; called on the backend's thread only.
     *
     * @return whether the backend confirmed it received them (false when there was nothing to send, and always
     *     for UDP, which confirms nothing): only a confirmation says a failing backend "works again"
     */
    abstract boolean push() throws Exception;

    /** What {@link #extensionCounterDeltas} hands over for one series that rose since the previous push. */
    interface CounterDelta {
        void accept(ExtensionCounters.Registered counter, ExtensionCounters.CounterSeries series, long delta);
    }

    /**
     * Each extension counter's series that rose since the previous push, with the rise (counters are sent as the
     * interval's delta, as the request counters are); called on the backend's thread only. The counts are taken as
     * sent whether or not the send then succeeds, as the request counters' are.
     */
    void extensionCounterDeltas(CounterDelta visitor) {
        for (ExtensionCounters.Registered counter : gauges.extensionCounters().counters()) {
            for (ExtensionCounters.CounterSeries series : counter.series()) {
                long value = series.value();
                Long previous = pushedCounts.put(series, value);
                long delta = value - (previous == null ? 0 : previous);
                if (delta > 0) {
                    visitor.accept(counter, series, delta);
                }
            }
        }
    }

    /** Releases what {@link #push()} opened (a socket). */
    void release() {
    }

    @Override
    public void accept(RequestRecord record) {
        metrics.accept(record);
    }

    @Override
    public void gauges(GatewayGauges gauges) {
        this.gauges = gauges;
    }

    @Override
    public void configurationReloaded(boolean success) {
        metrics.configurationReloaded(success);
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "gatehouse-" + key);
            thread.setDaemon(true);
            return thread;
        });
        long nanos = interval.toNanos();
        scheduler.scheduleAtFixedRate(this::pushLoggingFailures, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    private void pushLoggingFailures() {
        try {
            if (push()) {
                failures.succeeded();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failures.failed(PushFailureLog.reason(e), e);
        }
    }

    /** Stops the thread, then sends what the last interval gathered (bounded by the send's own timeouts). */
    @Override
    public synchronized void close() {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdownNow();
        try {
            if (scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                pushLoggingFailures();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            scheduler = null;
            release();
        }
    }
}
