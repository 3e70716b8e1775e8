package dev.gatehouse.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The interval series of the StatsD, DogStatsD and InfluxDB 2 backends: a push takes the interval's values and
 * starts from zero, durations are bounded per interval, and recording a request allocates nothing once the series
 * has seen an interval of that size.
 */
class IntervalRequestMetricsTest {

    private static IntervalRequestMetrics.Series series() {
        return new IntervalRequestMetrics.Series(RequestMetricsFeed.Kind.SERVICE, "app@file", null, "GET", "200");
    }

    /** What one {@link IntervalRequestMetrics#drain} hands over for one series. */
    private record Drained(long requests, long requestBytes, long responseBytes, List<Long> durations) {
    }

    /** A visitor of the request series only. */
    private interface RequestsVisitor extends IntervalRequestMetrics.Visitor {
        @Override
        default void tls(IntervalRequestMetrics.Tls series, long requests) {
        }

        @Override
        default void configReloads(long reloads) {
        }

        @Override
        default void lastReloadSuccess(long epochSeconds) {
        }
    }

    private static List<Drained> drain(IntervalRequestMetrics metrics) {
        List<Drained> drained = new ArrayList<>();
        metrics.drain((RequestsVisitor) (series, requests, requestBytes, responseBytes, durationsNanos, durationCount) -> {
            List<Long> durations = new ArrayList<>();
            for (int i = 0; i < durationCount; i++) {
                durations.add(durationsNanos[i]);
            }
            drained.add(new Drained(requests, requestBytes, responseBytes, durations));
        });
        return drained;
    }

    @Test
    void recordingAllocatesNothingOnceTheDurationBufferHasGrown() {
        IntervalRequestMetrics.Series series = series();
        for (int i = 0; i < 50_000; i++) {   // warm up: JIT, and the buffer grows to its bound
            series.record(i, 1, 2);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 10_000; i++) {
            series.record(i, 1, 2);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < 1024, "10,000 requests allocated " + allocated + " bytes");
    }

    @Test
    void aPushTakesTheIntervalsValuesAndTheNextIntervalStartsAtZero() {
        IntervalRequestMetrics metrics = new IntervalRequestMetrics(new RequestMetricsFeed.Switches(true, true, true));
        IntervalRequestMetrics.Series ok = metrics.series(RequestMetricsFeed.Kind.SERVICE, "app@file", null, "get", 200);
        ok.record(1_000, 5, 7);
        ok.record(2_000, 0, 3);
        metrics.series(RequestMetricsFeed.Kind.SERVICE, "app@file", null, "get", 404).record(3_000, 0, 0);
        assertEquals("GET", ok.method, "methods are upper case, as Traefik's labels");
        assertEquals(ok, metrics.series(RequestMetricsFeed.Kind.SERVICE, "app@file", null, "get", 200), "cached");

        List<Drained> first = drain(metrics);
        assertEquals(List.of(new Drained(2, 5, 10, List.of(1_000L, 2_000L)), new Drained(1, 0, 0, List.of(3_000L))),
                first);
        assertEquals(List.of(), drain(metrics), "an interval without requests sends nothing");

        ok.record(4_000, 1, 1);
        assertEquals(List.of(new Drained(1, 1, 1, List.of(4_000L))), drain(metrics), "only the new interval");
    }

    @Test
    void anIntervalKeepsAtMostMaxSamplesDurationsButCountsEveryRequest() {
        IntervalRequestMetrics metrics = new IntervalRequestMetrics(new RequestMetricsFeed.Switches(true, true, true));
        IntervalRequestMetrics.Series series = metrics.series(RequestMetricsFeed.Kind.ENTRYPOINT, "web", null, "GET", 200);
        int requests = IntervalRequestMetrics.MAX_SAMPLES + 500;
        for (int i = 0; i < requests; i++) {
            series.record(i, 0, 0);
        }
        Drained drained = drain(metrics).get(0);
        assertEquals(requests, drained.requests());
        assertEquals(IntervalRequestMetrics.MAX_SAMPLES, drained.durations().size());
        assertEquals(0L, drained.durations().get(0));
    }

    @Test
    void requestsOfALabelSetAreNotHeldUpWhileAPushSendsItsValues() throws Exception {
        IntervalRequestMetrics metrics = new IntervalRequestMetrics(new RequestMetricsFeed.Switches(true, true, true));
        IntervalRequestMetrics.Series series = metrics.series(RequestMetricsFeed.Kind.ENTRYPOINT, "web", null, "GET", 200);
        series.record(1_000, 0, 0);
        java.util.concurrent.atomic.AtomicBoolean recordedDuringPush = new java.util.concurrent.atomic.AtomicBoolean();
        metrics.drain((RequestsVisitor) (drained, requests, requestBytes, responseBytes, durationsNanos, count) -> {
            // A request of the same label set completes on another thread while the push formats its lines.
            Thread request = new Thread(() -> drained.record(2_000, 0, 0));
            request.start();
            try {
                request.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            recordedDuringPush.set(!request.isAlive());
        });
        assertTrue(recordedDuringPush.get(), "the request waited for the push");
        assertEquals(List.of(new Drained(1, 0, 0, List.of(2_000L))), drain(metrics), "and counts in the next interval");
    }
}
