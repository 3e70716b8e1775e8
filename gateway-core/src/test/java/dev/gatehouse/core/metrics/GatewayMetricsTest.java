package dev.gatehouse.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.PrometheusMetricsConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Prometheus registry: its guard against header label values chosen by clients, its gauges. */
class GatewayMetricsTest {

    @Test
    void headerLabelValuesPastTheCapAreCountedAsOtherInsteadOfGrowingTheRegistry() {
        GatewayMetrics metrics = new GatewayMetrics(new PrometheusMetricsConfig(null, null, null, null, null, null,
                null, Map.of("tenant", "X-Tenant")));
        RequestMetricsFeed.RequestSeries series = metrics.series(RequestMetricsFeed.Kind.ENTRYPOINT, "web", "GET", 200);
        int extra = 3;
        // A client sending a new X-Tenant value with each request.
        for (int i = 0; i < GatewayMetrics.MAX_HEADER_LABEL_SERIES + extra; i++) {
            series.record(List.of("tenant-" + i), 1_000, 0, 0);
        }
        series.record(List.of("tenant-0"), 1_000, 0, 0);   // a value seen before the cap keeps its own series

        String scrape = metrics.scrape();
        List<String> counters = scrape.lines().filter(l -> l.startsWith("traefik_entrypoint_requests_total{")).toList();
        assertEquals(GatewayMetrics.MAX_HEADER_LABEL_SERIES + 1, counters.size(), "the cap's series and one for 'other'");
        assertTrue(counters.stream().anyMatch(l -> l.contains("tenant=\"" + GatewayMetrics.OVERFLOW_VALUE + "\"")
                && l.endsWith(" " + (double) extra)), "the values past the cap counted together");
        assertTrue(counters.stream().anyMatch(l -> l.contains("tenant=\"tenant-0\"") && l.endsWith(" 2.0")));
    }

    @Test
    void udpSessionsAreTheOpenConnectionsOfUdpEntryPoints() {
        GatewayMetrics metrics = new GatewayMetrics(new PrometheusMetricsConfig(null, null, null, null, null, null,
                null, null));
        metrics.gauges(new GatewayGauges(() -> Map.of("web", 2), Map::of, List::of, () -> Map.of("dns", 3), List::of));
        List<String> open = metrics.scrape().lines().filter(l -> l.startsWith("traefik_open_connections{")).toList();
        assertTrue(open.stream().anyMatch(l -> l.contains("entrypoint=\"web\"") && l.contains("protocol=\"TCP\"")
                && l.endsWith(" 2.0")), open.toString());
        assertTrue(open.stream().anyMatch(l -> l.contains("entrypoint=\"dns\"") && l.contains("protocol=\"UDP\"")
                && l.endsWith(" 3.0")), open.toString());
    }
}
