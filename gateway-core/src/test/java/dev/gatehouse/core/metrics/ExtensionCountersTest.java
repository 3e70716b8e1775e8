package dev.gatehouse.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.Counter;
import dev.gatehouse.core.config.PrometheusMetricsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The registry behind {@code GatewayEnvironment.counter}: names, labels, the series cap, concurrency, the scrape. */
class ExtensionCountersTest {

    private final ExtensionCounters counters = new ExtensionCounters();

    private static Map<List<String>, Long> values(Counter counter) {
        return ((ExtensionCounters.Registered) counter).series().stream()
                .collect(Collectors.toMap(ExtensionCounters.CounterSeries::labelValues,
                        ExtensionCounters.CounterSeries::value));
    }

    @Test
    void countsBySeriesLookedUpOrBound() {
        Counter counter = counters.register("myplugin_refused", "Refused requests", "middleware", "reason");
        counter.increment("a@file", "quota");
        counter.add(4, "a@file", "quota");
        Counter.Series bound = counter.series("b@file", "quota");
        bound.increment();
        bound.add(2);
        assertSame(bound, counter.series("b@file", "quota"), "the same series for the same values");
        assertEquals(Map.of(List.of("a@file", "quota"), 5L, List.of("b@file", "quota"), 3L), values(counter));

        Counter unlabelled = counters.register("myplugin_started", "Starts");
        unlabelled.increment();
        unlabelled.increment();
        assertEquals(Map.of(List.of(), 2L), values(unlabelled));
    }

    @Test
    void theSameNameAndLabelsGiveTheSameCounterOtherLabelsAreRefusedNamingIt() {
        Counter first = counters.register("myplugin_refused", "Refused", "middleware");
        assertSame(first, counters.register("myplugin_refused", "Refused again", "middleware"),
                "a middleware created again on a reload counts on");
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> counters.register("myplugin_refused", "Refused", "router"));
        assertTrue(clash.getMessage().contains("'myplugin_refused'") && clash.getMessage().contains("[middleware]"),
                clash.getMessage());
        assertEquals(1, counters.counters().size());
    }

    @Test
    void theSameNameFromAnotherPluginIsRefusedNotMerged() {
        Object pluginA = new Object();
        Object pluginB = new Object();
        Counter first = counters.registerFor(pluginA, "blocked", "Blocked", "middleware");
        assertSame(first, counters.registerFor(pluginA, "blocked", "Blocked", "middleware"), "another of A's extensions");
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> counters.registerFor(pluginB, "blocked", "Blocked", "middleware"));
        assertEquals("counter 'blocked' is already registered by another plugin: give this one a name of its own (start"
                + " it with your plugin's word)", clash.getMessage());
    }

    @Test
    void invalidNamesAndLabelsAreRefusedWithWhatToDo() {
        for (String name : List.of("", "MyPlugin", "1abc", "my-plugin", "my__plugin", "my.plugin", "a_", "x".repeat(101))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> counters.register(name, "help"), name);
            assertTrue(e.getMessage().contains("'" + name + "'") && e.getMessage().contains("myplugin_refused"),
                    e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> counters.register(null, "help")).getMessage()
                .contains("not valid"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> counters.register("myplugin_hits_total", "h"))
                .getMessage().contains("leave out '_total'"));
        for (String gateways : List.of("entrypoint_requests", "router_x", "service_x", "config_reloads",
                "open_connections", "tls_certs", "provider_up", "plugin_load_failures")) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> counters.register(gateways, "h"))
                    .getMessage().contains("gateway's own metrics"), gateways);
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> counters.register("myplugin_a", "h", "Bad"))
                .getMessage().contains("label name 'Bad'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> counters.register("myplugin_a", "h", "__x"))
                .getMessage().contains("'__x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> counters.register("myplugin_a", "h", "a", "a"))
                .getMessage().contains("given twice"));
        String[] eleven = new String[11];
        for (int i = 0; i < eleven.length; i++) {
            eleven[i] = "l" + i;
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> counters.register("myplugin_a", "h", eleven))
                .getMessage().contains("at most 10"));
        assertEquals(List.of(), counters.counters(), "nothing registered by a refused call");
    }

    @Test
    void theWrongNumberOfValuesANullValueOrANegativeAmountNameTheCounter() {
        Counter counter = counters.register("myplugin_refused", "Refused", "middleware", "reason");
        for (String[] values : List.of(new String[0], new String[] {"a"}, new String[] {"a", "b", "c"})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> counter.increment(values));
            assertEquals("counter 'myplugin_refused' has the labels [middleware, reason] and was given " + values.length
                    + (values.length == 1 ? " value" : " values") + ": give one value per label, in order", e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> counter.series("a", null)).getMessage()
                .contains("label 'reason' is null"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> counter.add(-1, "a", "b")).getMessage()
                .contains("'myplugin_refused' only goes up"));
        Counter unlabelled = counters.register("myplugin_started", "Starts");
        assertThrows(IllegalArgumentException.class, () -> unlabelled.increment("extra"));
        assertEquals(Map.of(), values(counter), "no series made by a refused call");
    }

    @Test
    void pastTheCapNewCombinationsAreCountedInOneOverflowSeries() {
        Counter counter = counters.register("myplugin_by_client", "By client", "client", "kind");
        for (int i = 0; i < ExtensionCounters.MAX_SERIES + 500; i++) {
            counter.increment("client-" + i, "k");
        }
        counter.increment("client-0", "k");   // an existing series still counts in its own
        Map<List<String>, Long> values = values(counter);
        assertEquals(ExtensionCounters.MAX_SERIES + 1, values.size());
        assertEquals(500L, values.get(List.of("other", "other")));
        assertEquals(2L, values.get(List.of("client-0", "k")));
        assertSame(counter.series("new-a", "k"), counter.series("new-b", "k"), "one overflow series");
    }

    @Test
    void concurrentCountingLosesNothing() throws Exception {
        Counter counter = counters.register("myplugin_hits", "Hits", "worker");
        int threads = 8;
        int perThread = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String label = "w" + (t % 2);   // two series, each raced by four threads, created under the race
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        counter.increment(label);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Map.of(List.of("w0"), 4L * perThread, List.of("w1"), 4L * perThread), values(counter));
    }

    @Test
    void thePrometheusScrapeShowsEachSeriesWithThePrefixAndTotal() {
        GatewayMetrics metrics = new GatewayMetrics(new PrometheusMetricsConfig(null, null, null, null, null, null,
                "edge", Map.of()));
        metrics.gauges(new GatewayGauges(Map::of, Map::of, List::of, Map::of, List::of, counters));
        Counter counter = counters.register("myplugin_refused", "Requests my middleware refused", "middleware");
        counter.add(3, "api@file");
        String scrape = metrics.scrape();
        assertTrue(scrape.contains("# HELP edge_myplugin_refused_total Requests my middleware refused"), scrape);
        assertTrue(scrape.contains("edge_myplugin_refused_total{middleware=\"api@file\"} 3.0"), scrape);
        counter.increment("api@file");
        counter.increment("web@file");
        scrape = metrics.scrape();
        assertTrue(scrape.contains("edge_myplugin_refused_total{middleware=\"api@file\"} 4.0"), scrape);
        assertTrue(scrape.contains("edge_myplugin_refused_total{middleware=\"web@file\"} 1.0"), "a series seen later");
    }
}
