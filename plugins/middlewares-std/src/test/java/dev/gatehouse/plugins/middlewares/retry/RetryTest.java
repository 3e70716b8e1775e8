package dev.gatehouse.plugins.middlewares.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.http.ForwardingListener;
import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Test;

/** retry (Traefik's retry_test.go ideas): network failures are retried, answers never are. */
class RetryTest {

    /** The next handler fails {@code failures} times as the gateway does when no server was reachable. */
    private static MiddlewareTester.Responder failing(AtomicInteger calls, int failures, boolean forwarded, boolean readBody) {
        return (request, response, callback) -> {
            int call = calls.incrementAndGet();
            if (readBody) {
                Content.Source.asString(request);
            }
            if (call <= failures) {
                if (!forwarded) {
                    // As the gateway does: tells the listener, if a retry put one around the request.
                    ForwardingListener listener = ForwardingListener.of(request);
                    if (listener != null) {
                        listener.notForwarded(new java.net.ConnectException("refused"));
                    }
                }
                response.setStatus(502);
                response.getHeaders().put("X-Attempt", "failed " + call);
                response.write(true, ByteBuffer.wrap("Bad Gateway".getBytes(StandardCharsets.UTF_8)), callback);
                return;
            }
            response.setStatus(200);
            response.getHeaders().put("X-Attempt", "ok " + call);
            response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)), callback);
        };
    }

    @Test
    void retriesWhatNeverReachedAServer() throws Exception {
        record Case(String name, int attempts, int failures, boolean forwarded, String body, int expectedStatus,
                int expectedCalls) {
        }
        List<Case> cases = List.of(
                new Case("first time", 3, 0, false, null, 200, 1),
                new Case("refused then accepted", 3, 2, false, null, 200, 3),
                new Case("always refused", 3, 5, false, null, 502, 3),
                new Case("one attempt", 1, 1, false, null, 502, 1),
                new Case("a server's own 502 is an answer", 3, 1, true, null, 502, 1),
                new Case("body read: never again", 3, 1, false, "payload", 502, 1),
                new Case("empty body is no body", 3, 1, false, "", 200, 2));
        for (Case c : cases) {
            AtomicInteger calls = new AtomicInteger();
            try (MiddlewareTester t = new MiddlewareTester(new Retry().create(new Retry.Config(c.attempts(), Duration.ofMillis(5)), null))) {
                t.respond(failing(calls, c.failures(), c.forwarded(), c.body() != null));
                HttpTester.Response response = c.body() == null ? t.get("/") : t.send("POST", "/", c.body());
                assertEquals(c.expectedStatus(), response.getStatus(), c.name());
                assertEquals(c.expectedCalls(), calls.get(), c.name());
                assertEquals((c.expectedStatus() == 200 ? "ok " : "failed ") + c.expectedCalls(), response.get("X-Attempt"),
                        c.name() + ": only the last attempt's headers reach the client");
                assertEquals(c.expectedStatus() == 200 ? "ok" : "Bad Gateway", response.getContent(), c.name());
            }
        }
    }

    @Test
    void backoffGrowsTowardsTwiceTheInitialIntervalOverTheAttempts() {
        Retry.Backoff backoff = new Retry.Backoff(5, Duration.ofMillis(100));
        assertEquals(100_000_000L, backoff.intervalNanos(1));
        assertEquals(200_000_000L, backoff.intervalNanos(5), 1_000, "what a fifth retry would wait: twice the first");
        assertTrue(backoff.intervalNanos(2) > backoff.intervalNanos(1) && backoff.intervalNanos(3) > backoff.intervalNanos(2));
        for (int i = 0; i < 100; i++) {
            long wait = backoff.waitNanos(1);
            assertTrue(wait >= 50_000_000L && wait <= 150_000_000L, "randomized by half: " + wait);
        }
        assertEquals(0, new Retry.Backoff(5, Duration.ZERO).waitNanos(3), "no interval: at once");
    }

    /** A retry of {@code outerAttempts} around one of {@code innerAttempts}, as one wrapper for the tester. */
    private static Handler.Wrapper nestedRetries(int outerAttempts, int innerAttempts) throws Exception {
        Handler.Wrapper outer = new Retry().create(new Retry.Config(outerAttempts, null), null);
        Handler.Wrapper inner = new Retry().create(new Retry.Config(innerAttempts, null), null);
        outer.setHandler(inner);
        // The tester sets its backend as the child of what it is given: here, of the inner retry.
        return new Handler.Wrapper(outer) {
            @Override
            public void setHandler(Handler handler) {
                if (handler == outer) {
                    super.setHandler(handler);
                } else {
                    inner.setHandler(handler);
                }
            }
        };
    }

    @Test
    void whenAnInnerRetryGivesUpTheOuterOneSendsTheRequestAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (MiddlewareTester t = new MiddlewareTester(nestedRetries(2, 3))) {
            t.respond(failing(calls, 100, false, false));
            assertEquals(502, t.get("/").getStatus());
            assertEquals(6, calls.get(), "three inner attempts for each of two outer ones");
        }
        calls.set(0);
        try (MiddlewareTester t = new MiddlewareTester(nestedRetries(2, 3))) {
            t.respond(failing(calls, 4, false, false));
            assertEquals(200, t.get("/").getStatus());
            assertEquals(5, calls.get(), "the outer retry's second round succeeds on its second attempt");
        }
    }

    @Test
    void withoutARetryNobodyListensForUnforwardedRequests() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (MiddlewareTester t = new MiddlewareTester(new Handler.Wrapper())) {
            t.respond((request, response, callback) -> {
                calls.incrementAndGet();
                assertEquals(null, ForwardingListener.of(request));
                response.setStatus(204);
                callback.succeeded();
            });
            assertEquals(204, t.get("/").getStatus());
            assertEquals(1, calls.get());
        }
    }

    @Test
    void theBackoffIsWaitedBetweenAttempts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (MiddlewareTester t = new MiddlewareTester(new Retry().create(new Retry.Config(3, Duration.ofMillis(200)), null))) {
            t.respond(failing(calls, 2, false, false));
            long start = System.nanoTime();
            assertEquals(200, t.get("/").getStatus());
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            // at least half of 200 ms, then half of ~283 ms
            assertTrue(elapsedMs >= 240, "waited " + elapsedMs + " ms");
        }
    }

    @Test
    void attemptsAreRequired() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new Retry().create(new Retry.Config(null, null), null));
        assertTrue(missing.getMessage().contains("'attempts' is required"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Retry().create(new Retry.Config(0, null), null));
        assertThrows(IllegalArgumentException.class, () -> new Retry().create(new Retry.Config(2, Duration.ofMillis(-1)), null));
    }

    @Test
    void aStatusThatIsNotACodeOrARangeIsRejectedNamingIt() {
        for (String[] c : new String[][] {
                {"5xx", "'status': '5xx' is not a status code or a range of them"},
                {"500-", "'status': '500-' is not a status code or a range of them"},
                {"503,abc", "'status': 'abc' is not a status code or a range of them"},
                {"599-500", "'status': '599-500' ends before it starts"}}) {
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new Retry().create(
                    new Retry.Config(2, null, null, List.of(c[0]), null, null, null), null), c[0]);
            assertTrue(bad.getMessage().contains(c[1]), bad.getMessage());
        }
        new Retry().create(new Retry.Config(2, null, null, List.of(" 503 , 500-599,", ""), null, null, null), null);
    }
}
