package dev.gatehouse.core.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.config.OtlpHttpConfig;
import dev.gatehouse.core.config.OtlpMetricsConfig;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Recording a request into the OpenTelemetry SDK allocates nothing once its label set has been seen. */
class OtlpMetricsBackendTest {

    @Test
    void recordingARequestAllocatesNothingOnceItsLabelSetIsKnown() throws Exception {
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, -1);
            }
        });
        collector.start();
        OtlpMetricsBackend backend = new OtlpMetricsBackend(new OtlpMetricsConfig(
                new OtlpHttpConfig("http://127.0.0.1:" + collector.getAddress().getPort(), null, null), null,
                true, true, true, List.of(), Duration.ofHours(1), null, Map.of()));
        try {
            backend.start();
            RequestMetricsFeed.RequestSeries series = backend.series(RequestMetricsFeed.Kind.ROUTER, "app@file",
                    "app@file", "GET", 200);
            for (int i = 0; i < 50_000; i++) {   // JIT warm-up
                series.record(1_000_000L + i, 10, 20);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 10_000; i++) {
                series.record(1_000_000L + i, 10, 20);
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertTrue(allocated < 4096, "10,000 requests allocated " + allocated + " bytes");
        } finally {
            backend.close();
            collector.stop(0);
        }
    }
}
