package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rateLimit} with {@code redis} in two real gateways (each with its own plugin class loader, so its own
 * lettuce client) and a real Redis: together they let through one limit, where each on its own lets through its own;
 * with Redis stopped each limits by itself and says so; with Redis back they share again.
 *
 * <p>The bucket refills slowly (6 in 10 minutes) so the counts do not depend on this machine's speed. Item 4's
 * three-process check (100/s ± 10 %) takes the same configuration ({@link #limitedRoute}) with {@code average: 100}.
 */
class RateLimitRedisTest {

    @TempDir
    Path dir;

    /** Router {@code limited} ({@code /limited}) through {@code rateLimit} {@code limit} to {@code backend}. */
    static String limitedRoute(String backend, long average, String period, long burst, String redisOptions) {
        return """
                http:
                  routers:
                    limited:
                      rule: PathPrefix(`/limited`)
                      service: app
                      middlewares: [limit]
                  middlewares:
                    limit:
                      rateLimit:
                        average: %d
                        period: %s
                        burst: %d
                %s
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(average, period, burst, redisOptions.indent(8).stripTrailing(), backend);
    }

    @Test
    void twoGatewaysShareOneLimitThroughRedisAndEachLimitsAloneWhileItIsDown() throws Exception {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start();
                TestBackend backend = TestBackend.echo("app")) {
            String config = limitedRoute(backend.url(), 6, "10m", 10, """
                    redis:
                      endpoints: ["%s"]
                      readTimeout: 1s
                      writeTimeout: 1s
                      dialTimeout: 1s
                    """.formatted(redis.address()));
            try (TestGateway a = Gateways.withDynamic(dir.resolve("a"), config).start();
                    TestGateway b = Gateways.withDynamic(dir.resolve("b"), config).start()) {
                assertTrue(a.routerEnabled("limited@file"), a.configurationProblems().toString());
                assertEquals(10, allowed(List.of(a, b), 15), "a burst of 10 shared by both gateways");
                assertTrue(redis.redisCli("KEYS", "rate:*").contains("rate:limit@file:127.0.0.1"),
                        "the bucket is named as in Traefik: " + redis.redisCli("KEYS", "rate:*"));

                redis.stop();
                long outageStart = System.nanoTime();
                assertEquals(20, allowed(List.of(a, b), 15), "Redis down: each gateway's own burst of 10");
                // Both gateways log to this JVM's one stderr: a line each per 10 s, not one per request.
                long windows = 1 + (System.nanoTime() - outageStart) / 10_000_000_000L;
                List<String> warnings = logLines(a, b, "rateLimit limit@file", "cannot be used");
                assertTrue(warnings.size() >= 2 && warnings.size() <= 2 * windows, b.logs());
                assertTrue(warnings.stream().allMatch(line -> line.contains("WARN")
                        && line.contains("Redis at " + redis.address())), warnings.toString());

                redis.start();
                Poll.until("both gateways use Redis again", Duration.ofSeconds(20), () -> {
                    a.get("/limited");
                    b.get("/limited");
                    return logLines(a, b, "Redis at " + redis.address(), "answers again").size() == 2;
                }, a::logs);
                redis.delete("rate:limit@file:127.0.0.1");
                assertEquals(10, allowed(List.of(a, b), 15), "one shared burst again");
            }
        }
    }

    @Test
    void requestsDecidedWithoutRedisAreCountedInThePrometheusScrapeAndPushedToDatadog() throws Throwable {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start();
                TestBackend backend = TestBackend.echo("app");
                MetricsPushTest.UdpLines agent = new MetricsPushTest.UdpLines()) {
            String config = limitedRoute(backend.url(), 6, "10m", 100, """
                    redis:
                      endpoints: ["%s"]
                      readTimeout: 1s
                      writeTimeout: 1s
                      dialTimeout: 1s
                    """.formatted(redis.address()));
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("a"), config).staticConfig("""
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
                      datadog:
                        address: %s
                        pushInterval: 100ms
                    """.formatted(agent.address())).start()) {
                assertTrue(gateway.routerEnabled("limited@file"), gateway.configurationProblems().toString());
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, gateway.get("/limited").statusCode());
                }
                assertEquals(0.0, fallbacks(gateway), "present from the start (so rate() works), and nothing decided "
                        + "without Redis while it answers");

                redis.stop();
                long outageStart = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    assertEquals(200, gateway.get("/limited").statusCode(), "decided by the gateway's own buckets");
                }
                assertEquals(5.0, fallbacks(gateway), "each request decided without Redis is counted");
                gateway.get("/limited");
                assertEquals(6.0, fallbacks(gateway), "and the counter rises with each");
                Poll.until("the counter pushed to DogStatsD", Duration.ofSeconds(20), () -> agent.lines().stream()
                        .filter(line -> line.startsWith("traefik.ratelimit.redis.fallback.total:")
                                && line.endsWith("|c|#middleware:limit@file"))
                        .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(':') + 1, line.indexOf('|'))))
                        .sum() == 6.0, () -> agent.lines().toString());
                long windows = 1 + (System.nanoTime() - outageStart) / 10_000_000_000L;
                int warnings = gateway.logLines("rateLimit limit@file", "cannot be used").size();
                assertTrue(warnings >= 1 && warnings <= windows, "the WARN line stays, once per 10 s: " + gateway.logs());
            }
        }
    }

    /** {@code traefik_ratelimit_redis_fallback_total{middleware="limit@file"}} in the scrape; null when absent. */
    private static Double fallbacks(TestGateway gateway) {
        String scrape = gateway.get("/metrics").body();
        String series = "traefik_ratelimit_redis_fallback_total{middleware=\"limit@file\"} ";
        return scrape.lines().filter(line -> line.startsWith(series))
                .map(line -> Double.valueOf(line.substring(series.length()))).findFirst().orElse(null);
    }

    @Test
    void withoutRedisEachGatewayHasItsOwnLimit() throws Exception {
        try (TestBackend backend = TestBackend.echo("app")) {
            String config = limitedRoute(backend.url(), 6, "10m", 10, "");
            try (TestGateway a = Gateways.withDynamic(dir.resolve("a"), config).start();
                    TestGateway b = Gateways.withDynamic(dir.resolve("b"), config).start()) {
                assertEquals(20, allowed(List.of(a, b), 15));
            }
        }
    }

    /** The lines either gateway captured (both log to this JVM's stderr: each captures some of the other's). */
    private static List<String> logLines(TestGateway a, TestGateway b, String... parts) {
        return java.util.stream.Stream.concat(a.logLines(parts).stream(), b.logLines(parts).stream()).distinct().toList();
    }

    /** {@code rounds} GETs of /limited through each gateway in turn; how many got 200 (the others must get 429). */
    private static int allowed(List<TestGateway> gateways, int rounds) {
        int allowed = 0;
        for (int i = 0; i < rounds; i++) {
            for (TestGateway gateway : gateways) {
                int status = gateway.get("/limited").statusCode();
                assertTrue(status == 200 || status == 429, "status " + status);
                allowed += status == 200 ? 1 : 0;
            }
        }
        return allowed;
    }
}
