package dev.gatehouse.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.api.Counter;
import dev.gatehouse.core.config.OtlpHttpConfig;
import dev.gatehouse.core.config.OtlpMetricsConfig;
import dev.gatehouse.it.Poll;
import dev.gatehouse.otlp.OtlpReceiver;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The extensions' counters reach every pushed backend under its own naming, as the increase since the previous push
 * (StatsD, DogStatsD, InfluxDB 2) or the cumulative count (OTLP); and counting on a bound series allocates nothing.
 */
class ExtensionCountersExportTest {

    private static final RequestMetricsFeed.Switches ALL = new RequestMetricsFeed.Switches(true, true, true);

    private final ExtensionCounters counters = new ExtensionCounters();
    private final GatewayGauges gauges = new GatewayGauges(Map::of, Map::of, List::of, Map::of, List::of, counters);

    @Test
    void statsdSendsTheSumAndDogStatsdEachSeriesWithItsLabelsAsTagsEachTheIncreaseSinceTheLastPush() throws Exception {
        Counter counter = counters.register("myplugin_refused", "Refused", "middleware");
        try (DatagramSocket agent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            agent.setSoTimeout(200);
            String address = "127.0.0.1:" + agent.getLocalPort();
            StatsdBackend statsd = new StatsdBackend("metrics.statsD", false, address, Duration.ofHours(1), "edge", ALL);
            StatsdBackend dogStatsd = new StatsdBackend("metrics.datadog", true, address, Duration.ofHours(1), "edge", ALL);
            statsd.gauges(gauges);
            dogStatsd.gauges(gauges);
            try {
                counter.add(3, "a@file");
                counter.add(2, "b@file");
                statsd.push();
                assertEquals(List.of("edge.myplugin.refused.total:5.000000|c"), received(agent));
                dogStatsd.push();
                assertEquals(List.of("edge.myplugin.refused.total:3.000000|c|#middleware:a@file",
                        "edge.myplugin.refused.total:2.000000|c|#middleware:b@file"), received(agent));

                dogStatsd.push();
                assertEquals(List.of(), received(agent), "nothing rose: nothing sent");
                counter.increment("b@file");
                dogStatsd.push();
                assertEquals(List.of("edge.myplugin.refused.total:1.000000|c|#middleware:b@file"), received(agent));
                statsd.push();
                assertEquals(List.of("edge.myplugin.refused.total:1.000000|c"), received(agent), "its own last push");
            } finally {
                statsd.release();
                dogStatsd.release();
            }
        }
    }

    /** The counter lines of the datagrams that arrive until none comes for 200 ms. */
    private static List<String> received(DatagramSocket agent) throws Exception {
        List<String> lines = new ArrayList<>();
        byte[] buffer = new byte[65535];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                agent.receive(packet);
            } catch (SocketTimeoutException quiet) {
                return lines;
            }
            new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8).lines()
                    .filter(line -> line.contains("myplugin")).forEach(lines::add);
        }
    }

    @Test
    void influxDb2WritesAPointPerSeriesWithTheLabelsAsTagsAndTheIncreaseAsCount() throws Exception {
        List<String> bodies = new ArrayList<>();
        HttpServer influx = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        influx.createContext("/", exchange -> {
            try (exchange) {
                synchronized (bodies) {
                    bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                }
                exchange.sendResponseHeaders(204, -1);
            }
        });
        influx.start();
        try {
            InfluxDb2Backend backend = new InfluxDb2Backend("http://127.0.0.1:" + influx.getAddress().getPort(), "t",
                    "org", "bucket", Duration.ofHours(1), Map.of("host", "gw1"), ALL);
            backend.gauges(gauges);
            Counter counter = counters.register("myplugin_refused", "Refused", "middleware", "reason");
            counter.add(4, "a@file", "quota");
            assertTrue(backend.push());
            List<String> points = bodies.get(0).lines().filter(line -> line.startsWith("traefik.myplugin")).toList();
            assertEquals(1, points.size(), bodies.toString());
            assertTrue(points.get(0).matches("traefik\\.myplugin\\.refused\\.total,host=gw1,middleware=a@file,"
                    + "reason=quota count=4 [0-9]+"), points.get(0));
            counter.add(2, "a@file", "quota");
            assertTrue(backend.push());
            assertTrue(bodies.get(1).contains("traefik.myplugin.refused.total,host=gw1,middleware=a@file,reason=quota "
                    + "count=2 "), bodies.get(1));
        } finally {
            influx.stop(0);
        }
    }

    @Test
    void otlpExportsEachCounterRegisteredBeforeOrAfterItStartedAsACumulativeSum() throws Exception {
        Counter early = counters.register("myplugin_early", "Registered before the backend started", "middleware");
        early.add(3, "a@file");
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            OtlpMetricsBackend backend = new OtlpMetricsBackend(new OtlpMetricsConfig(
                    new OtlpHttpConfig("http://127.0.0.1:" + receiver.httpPort(), null, null), null,
                    true, true, true, List.of(), Duration.ofMillis(100), null, Map.of()));
            backend.gauges(gauges);
            try {
                backend.start();
                Counter late = counters.register("myplugin_late", "Registered once the backend runs");
                late.add(7);
                Poll.until("both counters exported", Duration.ofSeconds(20),
                        () -> receiver.sum("traefik_myplugin_early_total", Map.of("middleware", "a@file")) == 3
                                && receiver.sum("traefik_myplugin_late_total", Map.of()) == 7,
                        () -> String.valueOf(receiver.latestMetric("traefik_myplugin_early_total")));
                early.increment("a@file");
                Poll.until("the count rises", Duration.ofSeconds(20),
                        () -> receiver.sum("traefik_myplugin_early_total", Map.of("middleware", "a@file")) == 4,
                        () -> String.valueOf(receiver.latestMetric("traefik_myplugin_early_total")));
                assertTrue(receiver.latestMetric("traefik_myplugin_early_total").getSum().getIsMonotonic());
            } finally {
                backend.close();
            }
        }
    }

    @Test
    void countingOnABoundSeriesOrByOneLabelValueAllocatesNothing() {
        Counter counter = counters.register("myplugin_hits", "Hits", "middleware");
        Counter.Series bound = counter.series("a@file");
        for (int i = 0; i < 50_000; i++) {   // JIT warm-up
            bound.increment();
            counter.increment("a@file");
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 10_000; i++) {
            bound.increment();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < 4096, "10,000 increments of a bound series allocated " + allocated + " bytes");
        assertEquals(110_000, counters.counters().get(0).series().get(0).value());
    }
}
