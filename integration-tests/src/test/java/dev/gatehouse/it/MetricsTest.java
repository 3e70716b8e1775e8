package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metrics.prometheus}: after known traffic, a scrape of {@code /metrics} holds Traefik's metric names
 * with exact counts per entry point, router and service.
 */
class MetricsTest {

    @TempDir
    Path dir;

    /** Sample lines of the Prometheus text format: {@code name{label="value",...} number}. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? ([-+0-9.eE]+|NaN)$");

    private static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a Prometheus sample line: " + line);
            samples.put(m.group(1) + (m.group(2) == null ? "" : sortedLabels(m.group(3))), Double.parseDouble(m.group(4)));
        }
        return samples;
    }

    private static String sortedLabels(String labels) {
        return "{" + String.join(",", new java.util.TreeSet<>(java.util.Arrays.asList(labels.split(",(?=[a-z_]+=\")")))) + "}";
    }

    @Test
    void countsRequestsByEntryPointRouterAndServiceWithTraefiksNames() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             GatewayHarness gateway = GatewayHarness.withDynamic(dir, """
                     http:
                       routers:
                         app:
                           rule: PathPrefix(`/app`)
                           service: app
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     metrics:
                       prometheus:
                         entryPoint: web
                         addRoutersLabels: true
                     """).start()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, Http.status(gateway.url("/app/" + i)));
            }
            assertEquals(404, Http.status(gateway.url("/none")));
            assertEquals(404, Http.status(gateway.url("/none2")));
            HttpResponse<String> post = Http.client().send(HttpRequest.newBuilder(URI.create(gateway.url("/app/post")))
                    .POST(HttpRequest.BodyPublishers.ofString("12345")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, post.statusCode());

            HttpResponse<String> scrape = Http.get(gateway.url("/metrics"));
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            Map<String, Double> samples = parse(scrape.body());

            assertEquals(3.0, samples.get("traefik_entrypoint_requests_total{code=\"200\",entrypoint=\"web\",method=\"GET\",protocol=\"http\"}"),
                    scrape.body());
            assertEquals(2.0, samples.get("traefik_entrypoint_requests_total{code=\"404\",entrypoint=\"web\",method=\"GET\",protocol=\"http\"}"));
            assertEquals(1.0, samples.get("traefik_entrypoint_requests_total{code=\"200\",entrypoint=\"web\",method=\"POST\",protocol=\"http\"}"));
            assertEquals(5.0, samples.get("traefik_entrypoint_requests_bytes_total{code=\"200\",entrypoint=\"web\",method=\"POST\",protocol=\"http\"}"));
            assertEquals(3.0, samples.get("traefik_service_requests_total{code=\"200\",method=\"GET\",protocol=\"http\",service=\"app@file\"}"));
            assertEquals(3.0, samples.get("traefik_router_requests_total{code=\"200\",method=\"GET\",protocol=\"http\",router=\"app@file\",service=\"app@file\"}"));
            assertEquals(3.0, samples.get("traefik_entrypoint_request_duration_seconds_count{code=\"200\",entrypoint=\"web\",method=\"GET\",protocol=\"http\"}"));
            assertTrue(samples.containsKey("traefik_entrypoint_request_duration_seconds_bucket{code=\"200\",entrypoint=\"web\",le=\"0.3\",method=\"GET\",protocol=\"http\"}"),
                    "Traefik's default buckets");
            assertTrue(samples.get("traefik_config_reloads_total") >= 1.0);
            assertTrue(samples.get("traefik_config_last_reload_success") > 1.7e9, "a Unix timestamp");
            assertTrue(samples.get("traefik_open_connections{entrypoint=\"web\",protocol=\"TCP\"}") >= 1.0,
                    "the scrape's own connection is open");
        }
    }
}
