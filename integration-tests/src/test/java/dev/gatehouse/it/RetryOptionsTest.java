package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code retry} options of Traefik v3.7 ({@code status}, {@code timeout}, {@code maxRequestBodyBytes},
 * {@code retryNonIdempotentMethod}, {@code disableRetryOnNetworkError}) through the real gateway, with the cases
 * of Traefik's {@code TestRetryHTTPStatusCodes}: a backend answers each request of a test with the next status of
 * the list in its path ({@code /seq/<id>/503,200}) and records the bodies it got.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetryOptionsTest {

    @TempDir
    static Path dir;

    private static TestBackend backend;
    private static TestGateway gateway;
    private static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private static final Map<String, List<String>> bodies = new ConcurrentHashMap<>();
    private static final AtomicInteger ids = new AtomicInteger();

    /** {@code /seq/<id>/<status>,<status>...[/delay]}: the n-th request of an id gets the n-th status. */
    static Handler sequenceBackend() {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws IOException {
                String[] parts = request.getHttpURI().getPath().split("/");
                String id = parts[2];
                String[] statuses = parts[3].split(",");
                int n = calls.computeIfAbsent(id, k -> new AtomicInteger()).getAndIncrement();
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                bodies.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(body);
                long delay = parts.length > 4 ? Long.parseLong(parts[4]) : 0;
                Runnable answer = () -> {
                    response.setStatus(Integer.parseInt(statuses[Math.min(n, statuses.length - 1)]));
                    response.getHeaders().put("X-Attempt-" + n, "value");
                    response.write(true, ByteBuffer.wrap(("attempt " + n + " got '" + body + "'")
                            .getBytes(StandardCharsets.UTF_8)), callback);
                };
                if (delay > 0) {
                    request.getComponents().getScheduler().schedule(answer, delay, TimeUnit.MILLISECONDS);
                } else {
                    answer.run();
                }
                return true;
            }
        };
    }

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.with("seq", sequenceBackend());
        int closedPort = Gateways.freePort();
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    on5xx:
                      rule: PathPrefix(`/on5xx`)
                      middlewares: [strip, on-5xx]
                      service: seq
                    on503:
                      rule: PathPrefix(`/on503`)
                      middlewares: [strip, on-503]
                      service: seq
                    large:
                      rule: PathPrefix(`/large`)
                      middlewares: [strip, on-503-default-body-limit]
                      service: seq
                    post:
                      rule: PathPrefix(`/post`)
                      middlewares: [strip, on-503-post]
                      service: seq
                    small:
                      rule: PathPrefix(`/small`)
                      middlewares: [strip, on-502-small-body]
                      service: seq
                    hurried:
                      rule: PathPrefix(`/hurried`)
                      middlewares: [strip, on-503-timeout]
                      service: seq
                    nonetwork:
                      rule: PathPrefix(`/nonetwork`)
                      middlewares: [on-503-not-network]
                      service: closed-once
                    network:
                      rule: PathPrefix(`/network`)
                      middlewares: [on-503]
                      service: closed-retried
                    buffered:
                      rule: PathPrefix(`/buffered`)
                      middlewares: [strip, buffer-retry-network]
                      service: seq
                    bufferedcode:
                      rule: PathPrefix(`/bufferedcode`)
                      middlewares: [strip, buffer-retry-503]
                      service: seq
                    pointless:
                      rule: PathPrefix(`/pointless`)
                      middlewares: [nothing-to-retry]
                      service: seq
                  middlewares:
                    strip:
                      stripPrefixRegex:
                        regex: ["^/[a-z0-9]+"]
                    on-5xx:
                      retry:
                        attempts: 4
                        status: ["500-599"]
                        maxRequestBodyBytes: 1024
                    on-503:
                      retry:
                        attempts: 3
                        status: ["503"]
                        maxRequestBodyBytes: 1024
                    on-503-default-body-limit:
                      retry:
                        attempts: 3
                        status: ["503"]
                    on-503-post:
                      retry:
                        attempts: 3
                        status: ["503"]
                        retryNonIdempotentMethod: true
                        maxRequestBodyBytes: 1024
                    on-502-small-body:
                      retry:
                        attempts: 3
                        status: ["502"]
                        maxRequestBodyBytes: 8
                    on-503-timeout:
                      retry:
                        attempts: 5
                        status: ["503"]
                        timeout: 100ms
                    on-503-not-network:
                      retry:
                        attempts: 3
                        status: ["503"]
                        disableRetryOnNetworkError: true
                    buffer-retry-network:
                      buffering:
                        retryExpression: IsNetworkError() && Attempts() < 2
                    buffer-retry-503:
                      buffering:
                        retryExpression: ResponseCode() == 503 && Attempts() <= 3 && RequestMethod() == "POST"
                    nothing-to-retry:
                      retry:
                        attempts: 3
                        disableRetryOnNetworkError: true
                  services:
                    seq:
                      loadBalancer:
                        servers:
                          - url: %s
                    # Nothing listens there: each attempt is a refused connection, which the passive health check
                    # counts; the second in a minute leaves the server out (and logs it).
                    closed-once:
                      loadBalancer:
                        passiveHealthCheck:
                          maxFailedAttempts: 2
                          failureWindow: 1m
                        servers:
                          - url: http://127.0.0.1:%d
                    closed-retried:
                      loadBalancer:
                        passiveHealthCheck:
                          maxFailedAttempts: 2
                          failureWindow: 1m
                        servers:
                          - url: http://127.0.0.1:%d
                """.formatted(backend.url(), closedPort, closedPort)).start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("on5xx@file") && gateway.routerEnabled("nonetwork@file"),
                Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        backend.close();
    }

    private static String id() {
        return "t" + ids.incrementAndGet();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return Http.client().send(HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(10))
                .method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRetriedStatusIsSentAgainAndOnlyTheLastAnswerReachesTheClient() throws Exception {
        String id = id();
        HttpResponse<String> response = send("GET", "/on5xx/seq/" + id + "/500,502,503,200", null);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(4, calls.get(id).get(), "three retries for a range of 5xx");
        assertEquals("value", response.headers().firstValue("X-Attempt-3").orElse(null));
        for (int dropped = 0; dropped < 3; dropped++) {
            assertFalse(response.headers().firstValue("X-Attempt-" + dropped).isPresent(),
                    "headers of a dropped attempt reached the client: " + response.headers().map());
        }
    }

    @Test
    void aStatusOutsideTheRangesIsNotRetried() throws Exception {
        String id = id();
        HttpResponse<String> response = send("GET", "/on503/seq/" + id + "/500,200", null);
        assertEquals(500, response.statusCode());
        assertEquals(1, calls.get(id).get());
    }

    @Test
    void whenAttemptsRunOutTheLastRetriedStatusReachesTheClient() throws Exception {
        String id = id();
        HttpResponse<String> response = send("GET", "/on503/seq/" + id + "/503", null);
        assertEquals(503, response.statusCode());
        assertEquals("attempt 2 got ''", response.body());
        assertEquals(3, calls.get(id).get());
    }

    @Test
    void aBodyIsSentWholeToEveryAttempt() throws Exception {
        String id = id();
        HttpResponse<String> response = send("PUT", "/on503/seq/" + id + "/503,200", "test request body");
        assertEquals(200, response.statusCode());
        assertEquals(List.of("test request body", "test request body"), bodies.get(id));
    }

    @Test
    void aChunkedBodyLargerThanTheFirstBufferIsSentWholeToEveryAttempt() throws Exception {
        // No Content-Length: the body is held in a buffer that starts small and grows as it arrives.
        String body = "0123456789abcdef".repeat(12_000);
        String id = id();
        HttpResponse<String> response = Http.client().send(HttpRequest.newBuilder(URI.create(gateway.url(
                "/large/seq/" + id + "/503,200"))).timeout(Duration.ofSeconds(10)).method("PUT",
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        body.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(List.of(body, body), bodies.get(id));
    }

    @Test
    void postIsRetriedOnAStatusOnlyWithRetryNonIdempotentMethod() throws Exception {
        String refused = id();
        HttpResponse<String> notRetried = send("POST", "/on503/seq/" + refused + "/503,200", "test request body");
        assertEquals(503, notRetried.statusCode());
        assertEquals(1, calls.get(refused).get());

        String allowed = id();
        HttpResponse<String> retried = send("POST", "/post/seq/" + allowed + "/503,200", "test request body");
        assertEquals(200, retried.statusCode());
        assertEquals(List.of("test request body", "test request body"), bodies.get(allowed));
    }

    @Test
    void aBodyLargerThanMaxRequestBodyBytesTurnsStatusRetriesOffAndStillReachesTheServerWhole() throws Exception {
        String id = id();
        HttpResponse<String> response = send("PUT", "/small/seq/" + id + "/502,200", "test request body");
        assertEquals(502, response.statusCode(), "not retried: the body is too large to hold");
        assertEquals(List.of("test request body"), bodies.get(id));
    }

    @Test
    void noRetryStartsOnceTheTimeoutHasPassed() throws Exception {
        String id = id();
        HttpResponse<String> response = send("GET", "/hurried/seq/" + id + "/503/150", null);
        assertEquals(503, response.statusCode());
        assertEquals(1, calls.get(id).get(), "the first answer came after the 100 ms timeout: not retried");
    }

    @Test
    void disableRetryOnNetworkErrorSendsARefusedRequestOnlyOnce() throws Exception {
        HttpResponse<String> notRetried = send("GET", "/nonetwork", null);
        assertEquals(502, notRetried.statusCode());
        assertEquals(List.of(), gateway.logLines("closed-once", "left out"), "one refusal only, so the server stays in");

        // The same refusal with network retries on: the second attempt's refusal leaves the server out.
        HttpResponse<String> retried = send("GET", "/network", null);
        assertEquals(503, retried.statusCode(), "the third attempt finds no server left");
        assertEquals(1, gateway.logLines("closed-retried", "left out").size(), gateway.logs());
    }

    @Test
    void bufferingRetryExpressionRetriesWhileItsConditionHolds() throws Exception {
        String network = id();
        HttpResponse<String> gaveUp = send("GET", "/buffered/seq/" + network + "/502,502,200", null);
        assertEquals(502, gaveUp.statusCode(), "IsNetworkError() && Attempts() < 2: one retry only");
        assertEquals(2, calls.get(network).get());

        String code = id();
        HttpResponse<String> retried = send("POST", "/bufferedcode/seq/" + code + "/503,503,200", "payload");
        assertEquals(200, retried.statusCode());
        assertEquals("attempt 2 got 'payload'", retried.body());
        assertEquals(List.of("payload", "payload", "payload"), bodies.get(code), "the held body went to each attempt");
        assertFalse(retried.headers().firstValue("X-Attempt-0").isPresent(), "a dropped response's headers leaked");

        String get = id();
        assertEquals(503, send("GET", "/bufferedcode/seq/" + get + "/503,200", null).statusCode(),
                "RequestMethod() == \"POST\" does not hold for a GET");
    }

    @Test
    void disableRetryOnNetworkErrorWithoutStatusIsAConfigurationError() {
        assertFalse(gateway.routerEnabled("pointless@file"));
        assertFalse(gateway.logLines("nothing-to-retry", "give 'status' codes").isEmpty(), gateway.logs());
    }
}
