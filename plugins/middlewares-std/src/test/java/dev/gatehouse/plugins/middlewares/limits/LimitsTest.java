package dev.gatehouse.plugins.middlewares.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import dev.gatehouse.plugins.middlewares.TestEnvironment;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** rateLimit (Traefik's rate_limiter_test.go ideas) and inFlightReq. */
class LimitsTest {

    private static final SourceCriterion.Config BY_HEADER = new SourceCriterion.Config(null, "X-Client", null);

    @Test
    void burstThenRefusedWithRetryAfter() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new RateLimit(new TestEnvironment()).create(
                new RateLimit.Config(1L, Duration.ofSeconds(10), 3L, BY_HEADER), null))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, t.get("/", "X-Client: a").getStatus(), "burst request " + i);
            }
            HttpTester.Response refused = t.get("/", "X-Client: a");
            assertEquals(429, refused.getStatus());
            int retryAfter = Integer.parseInt(refused.get("Retry-After"));
            assertTrue(retryAfter >= 9 && retryAfter <= 10, "one token every 10s: " + retryAfter);
            assertNotNull(refused.get("X-Retry-In"));
            assertEquals(200, t.get("/", "X-Client: b").getStatus(), "another source has its own bucket");
        }
    }

    @Test
    void rateOverAWindowLetsAverageTimesWindowPlusBurstThrough() throws Exception {
        // 20 a second, burst 5, for ~1 s of back-to-back requests: about 5 + 20 pass, the rest are 429
        // (or briefly delayed, up to 25 ms, as Traefik does).
        try (MiddlewareTester t = new MiddlewareTester(new RateLimit(new TestEnvironment()).create(new RateLimit.Config(20L, null, 5L, BY_HEADER), null))) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
            int ok = 0;
            int refused = 0;
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                int status = t.get("/", "X-Client: a").getStatus();
                if (status == 200) {
                    ok++;
                } else {
                    assertEquals(429, status);
                    refused++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double expected = 5 + 20 * seconds;
            assertTrue(refused > 0, "some are refused");
            assertTrue(Math.abs(ok - expected) <= 4, "passed " + ok + ", expected about " + expected);
        }
    }

    @Test
    void averageZeroDisablesTheLimit() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new RateLimit(new TestEnvironment()).create(new RateLimit.Config(0L, null, null, null), null))) {
            for (int i = 0; i < 20; i++) {
                assertEquals(200, t.get("/").getStatus());
            }
        }
    }

    @Test
    void memoryIsBoundedForManySources() {
        TokenBuckets buckets = new TokenBuckets(1, 1, 0, 1000);
        long now = 0;
        for (int i = 0; i < 100_000; i++) {
            buckets.take("10.0." + (i / 256) + "." + (i % 256), now);
            now += 1_000_000;   // 1 ms apart: full again after 1 s
        }
        assertTrue(buckets.size() <= 1000, "tracked " + buckets.size());
    }

    @Test
    void invalidRateLimitOptions() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimit(new TestEnvironment()).create(new RateLimit.Config(-1L, null, null, null), null));
        assertThrows(IllegalArgumentException.class, () -> new RateLimit(new TestEnvironment()).create(new RateLimit.Config(1L, null, null,
                new SourceCriterion.Config(new SourceCriterion.IpStrategyConfig(1, null), "X-A", null)), null));
    }

    @Test
    void inFlightLimitPerSource() throws Exception {
        ConcurrentLinkedQueue<Callback> held = new ConcurrentLinkedQueue<>();
        try (MiddlewareTester t = new MiddlewareTester(new InFlightReq().create(new InFlightReq.Config(2L, BY_HEADER), null))) {
            t.respond((request, response, callback) -> {
                response.setStatus(200);
                held.add(callback);
            });
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<HttpTester.Response>> pending = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    pending.add(pool.submit(() -> t.get("/", "X-Client: a")));
                }
                long deadline = System.currentTimeMillis() + 5000;
                while (held.size() < 2 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(2, held.size());
                assertEquals(429, t.get("/", "X-Client: a").getStatus(), "a third at once is refused");
                Future<HttpTester.Response> other = pool.submit(() -> t.get("/", "X-Client: b"));
                while (held.size() < 3 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(3, held.size(), "another source is counted apart");
                Callback c;
                while ((c = held.poll()) != null) {
                    c.succeeded();
                }
                for (Future<HttpTester.Response> f : pending) {
                    assertEquals(200, f.get(5, TimeUnit.SECONDS).getStatus());
                }
                assertEquals(200, other.get(5, TimeUnit.SECONDS).getStatus());
                t.respond((request, response, callback) -> {
                    response.setStatus(200);
                    callback.succeeded();
                });
                assertEquals(200, t.get("/", "X-Client: a").getStatus(), "finished requests no longer count");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void inFlightAmountIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> new InFlightReq().create(new InFlightReq.Config(0L, null), null));
    }
}
