package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Weighted round robin as the backends see it: exact shares per cycle, alternation, weight 0 left out. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadBalancingTest {

    @TempDir
    static Path dir;

    private static TestBackend heavy;
    private static TestBackend light;
    private static TestBackend left;
    private static TestBackend right;
    private static TestBackend zero;
    private static TestGateway gateway;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        heavy = TestBackend.echo("heavy");
        light = TestBackend.echo("light");
        left = TestBackend.echo("left");
        right = TestBackend.echo("right");
        zero = TestBackend.echo("zero");
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    weighted:
                      rule: PathPrefix(`/weighted`)
                      service: weighted
                    plain:
                      rule: PathPrefix(`/plain`)
                      service: plain
                  services:
                    weighted:
                      loadBalancer:
                        servers:
                          - url: %s
                            weight: 3
                          - url: %s
                            weight: 1
                    plain:
                      loadBalancer:
                        servers:
                          - url: %s
                          - url: %s
                          - url: %s
                            weight: 0
                """.formatted(heavy.url(), light.url(), left.url(), right.url(), zero.url())).start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("weighted@file") && gateway.routerEnabled("plain@file"),
                Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        for (TestBackend backend : List.of(heavy, light, left, right, zero)) {
            backend.close();
        }
    }

    private static List<String> backendsOf(String path, int requests) throws Exception {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(gateway.url(path)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            order.add(response.headers().firstValue("X-Backend").orElseThrow());
        }
        return order;
    }

    @Test
    void weightsThreeToOneGiveExactlyThirtyAndTenOfForty() throws Exception {
        List<String> order = backendsOf("/weighted", 40);
        Map<String, Integer> counts = new TreeMap<>();
        order.forEach(b -> counts.merge(b, 1, Integer::sum));
        assertEquals(Map.of("heavy", 30, "light", 10), counts, order.toString());
        assertEquals(30, heavy.requests());
        assertEquals(10, light.requests());
        // smooth: within every cycle of 4 the light server gets exactly one request
        for (int cycle = 0; cycle < 10; cycle++) {
            assertEquals(1, order.subList(cycle * 4, cycle * 4 + 4).stream().filter("light"::equals).count(),
                    order.toString());
        }
    }

    @Test
    void defaultWeightsAlternateAndWeightZeroGetsNothing() throws Exception {
        List<String> order = backendsOf("/plain", 20);
        for (int i = 1; i < order.size(); i++) {
            assertNotEquals(order.get(i - 1), order.get(i), "not alternating: " + order);
        }
        assertEquals(10, order.stream().filter("left"::equals).count(), order.toString());
        assertEquals(10, order.stream().filter("right"::equals).count(), order.toString());
        assertEquals(0, zero.requests());
    }
}
