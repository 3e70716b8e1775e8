package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Active health checks, passive health with retries, and what clients see when backends die. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HealthAndRetryTest {

    @TempDir
    Path dir;

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Answers {@code backend=<name>}; {@code /health} answers 500 while {@code sick} is set. */
    static Handler named(String name, AtomicBoolean sick, AtomicInteger healthChecks) {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (request.getHttpURI().getPath().equals("/health")) {
                    healthChecks.incrementAndGet();
                    response.setStatus(sick.get() ? 500 : 200);
                    response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)), callback);
                    return true;
                }
                response.getHeaders().put("X-Backend", name);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.write(true, ByteBuffer.wrap(("backend=" + name + "\n").getBytes(StandardCharsets.UTF_8)),
                        callback);
                return true;
            }
        };
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String backendOf(HttpResponse<String> response) {
        return response.headers().firstValue("X-Backend").orElse("status " + response.statusCode());
    }

    @Test
    void healthCheckTakesOutAServerAnswering500AndBringsItBack() throws Exception {
        AtomicBoolean sickA = new AtomicBoolean();
        AtomicInteger checksA = new AtomicInteger();
        AtomicInteger checksB = new AtomicInteger();
        try (TestBackend a = TestBackend.with("a", named("a", sickA, checksA));
             TestBackend b = TestBackend.with("b", named("b", new AtomicBoolean(), checksB));
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: svc
                       services:
                         svc:
                           loadBalancer:
                             healthCheck:
                               path: /health
                               interval: 100ms
                               timeout: 1s
                             servers:
                               - url: %s
                               - url: %s
                     """.formatted(a.url(), b.url())).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("r@file"), Duration.ofSeconds(10));
            awaitCondition(() -> checksA.get() > 2 && checksB.get() > 2, "health checks run");
            assertEquals(List.of("a", "b", "a", "b"), backends(gateway, 4));

            sickA.set(true);
            awaitCondition(() -> backends(gateway, 4).equals(List.of("b", "b", "b", "b")), "a taken out");
            int requestsOfA = a.requests() - checksA.get();
            assertEquals(List.of("b", "b", "b", "b", "b", "b"), backends(gateway, 6));
            assertTrue(a.requests() - checksA.get() <= requestsOfA, "an unhealthy server got traffic");

            sickA.set(false);
            awaitCondition(() -> backends(gateway, 4).contains("a"), "a back in");
        }
    }

    @Test
    void noHealthyServerAnswers503() throws Exception {
        AtomicBoolean sick = new AtomicBoolean(true);
        try (TestBackend a = TestBackend.with("a", named("a", sick, new AtomicInteger()));
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: svc
                       services:
                         svc:
                           loadBalancer:
                             healthCheck:
                               path: /health
                               interval: 100ms
                               status: 204
                             servers:
                               - url: %s
                     """.formatted(a.url())).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("r@file"), Duration.ofSeconds(10));
            // 200 is not the configured status 204: unhealthy.
            sick.set(false);
            awaitCondition(() -> get(gateway.url("/x")).statusCode() == 503, "503 without a healthy server");
        }
    }

    @Test
    void killingOneOfTwoBackendsUnderSteadyLoadLosesNoRequestThatHadNotReachedIt() throws Exception {
        AtomicBoolean never = new AtomicBoolean();
        TestBackend doomed = TestBackend.with("doomed", named("doomed", never, new AtomicInteger()));
        try (TestBackend survivor = TestBackend.with("survivor", named("survivor", never, new AtomicInteger()));
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: svc
                       services:
                         svc:
                           loadBalancer:
                             servers:
                               - url: %s
                               - url: %s
                     """.formatted(doomed.url(), survivor.url())).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("r@file"), Duration.ofSeconds(10));
            int threads = 4;
            int perThread = 500;
            AtomicInteger sent = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            ConcurrentHashMap<String, AtomicInteger> byBackend = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int n = sent.incrementAndGet();
                        if (n == threads * perThread / 2) {
                            try {
                                doomed.close();
                            } catch (Exception e) {
                                failures.add("closing: " + e);
                            }
                        }
                        try {
                            HttpResponse<String> response = get(gateway.url("/load"));
                            if (response.statusCode() != 200) {
                                failures.add(response.statusCode() + " " + response.body());
                            } else {
                                byBackend.computeIfAbsent(backendOf(response), k -> new AtomicInteger()).incrementAndGet();
                            }
                            Thread.sleep(1);
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            System.out.println("requests by backend: " + byBackend + ", failures: " + failures);
            assertTrue(failures.size() <= threads, "more failures than requests in flight: " + failures);
            assertTrue(byBackend.get("doomed").get() > 100, byBackend.toString());
            assertTrue(byBackend.get("survivor").get() > 1000, byBackend.toString());
        } finally {
            doomed.close();
        }
    }

    @Test
    void aRefusedConnectionIsRetriedOnAnotherServerAtOnce() throws Exception {
        int deadPort = Gateways.freePort();
        try (TestBackend alive = TestBackend.with("alive", named("alive", new AtomicBoolean(), new AtomicInteger()));
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: svc
                       services:
                         svc:
                           loadBalancer:
                             passiveHealthCheck:
                               failureWindow: 1s
                             servers:
                               - url: http://127.0.0.1:%d
                               - url: %s
                     """.formatted(deadPort, alive.url())).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("r@file"), Duration.ofSeconds(10));
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> response = get(gateway.url("/x"));
                assertEquals(200, response.statusCode(), response.body());
                assertEquals("alive", backendOf(response));
            }
            // A POST whose body was never read by anyone is retried too.
            HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create(gateway.url("/post")))
                    .POST(HttpRequest.BodyPublishers.ofString("hello")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, post.statusCode(), post.body());
        }
    }

    private static List<String> backends(TestGateway gateway, int n) throws Exception {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(backendOf(get(gateway.url("/x"))));
        }
        return list;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void awaitCondition(Check check, String what) throws Exception {
        Poll.until(what, Duration.ofSeconds(10), check::holds);
    }
}
