package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.CookiePolicy;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Strategies, preservePath, streaming, sticky sessions and composite services, through the real gateway. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServiceFeaturesTest {

    @TempDir
    Path dir;

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String backendOf(HttpResponse<String> response) {
        return response.headers().firstValue("X-Backend").orElse("status " + response.statusCode());
    }

    private static TestGateway started(Path dir, String yaml, String... routers) throws Exception {
        TestGateway gateway = Gateways.withDynamic(dir, yaml).start();
        gateway.awaitReload(0, () -> {
            for (String router : routers) {
                if (!gateway.routerEnabled(router)) {
                    return false;
                }
            }
            return true;
        }, Duration.ofSeconds(10));
        return gateway;
    }

    @Test
    void weightsAreHonouredOverTenThousandRequestsWithinTwoPercent() throws Exception {
        try (TestBackend heavy = TestBackend.echo("heavy");
             TestBackend light = TestBackend.echo("light");
             TestGateway gateway = started(dir, """
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
                                 weight: 3
                               - url: %s
                                 weight: 1
                     """.formatted(heavy.url(), light.url()), "r@file")) {
            int total = 10_000;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> futures = new ArrayList<>();
            AtomicInteger failures = new AtomicInteger();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < total / 4; i++) {
                        if (get(CLIENT, gateway.url("/w")).statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(100, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(0, failures.get());
            double share = heavy.requests() / (double) total;
            assertTrue(Math.abs(share - 0.75) <= 0.02, "heavy got " + heavy.requests() + " of " + total);
        }
    }

    @Test
    void p2cPrefersTheServerWithFewerRequestsInFlight() throws Exception {
        try (TestBackend slow = TestBackend.delayed("slow", Duration.ofMillis(300));
             TestBackend fast = TestBackend.echo("fast");
             TestGateway gateway = started(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: svc
                       services:
                         svc:
                           loadBalancer:
                             strategy: p2c
                             servers:
                               - url: %s
                               - url: %s
                     """.formatted(slow.url(), fast.url()), "r@file")) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        assertEquals(200, get(CLIENT, gateway.url("/p")).statusCode());
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(100, TimeUnit.SECONDS);
            }
            pool.shutdown();
            // Round robin would give each 75; by in-flight counts the slow one gets far fewer.
            assertTrue(fast.requests() > 3 * slow.requests(), "fast " + fast.requests() + ", slow " + slow.requests());
        }
    }

    @Test
    void preservePathPutsTheServerPathBeforeTheRequestPath() throws Exception {
        try (TestBackend backend = TestBackend.echo("b");
             TestGateway gateway = started(dir, """
                     http:
                       routers:
                         kept:
                           rule: PathPrefix(`/kept`)
                           service: kept
                         dropped:
                           rule: PathPrefix(`/dropped`)
                           service: dropped
                       services:
                         kept:
                           loadBalancer:
                             servers:
                               - url: %1$s/base/
                                 preservePath: true
                         dropped:
                           loadBalancer:
                             servers:
                               - url: %1$s/base
                     """.formatted(backend.url()), "kept@file", "dropped@file")) {
            assertTrue(get(CLIENT, gateway.url("/kept/x?q=1")).body().contains("uri=/base/kept/x?q=1"));
            assertTrue(get(CLIENT, gateway.url("/dropped/x")).body().contains("uri=/dropped/x"));
        }
    }

    @Test
    void serverSentEventsReachTheClientAsTheyAreWritten() throws Exception {
        CountDownLatch firstReceived = new CountDownLatch(1);
        AtomicBoolean waitedInVain = new AtomicBoolean();
        Handler events = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                Content.Sink.write(response, false, "data: one\n\n", Callback.NOOP);
                // The second event is written only once the client has the first: a proxy that buffers would
                // make the client wait here for 5 s.
                if (!firstReceived.await(5, TimeUnit.SECONDS)) {
                    waitedInVain.set(true);
                }
                response.write(true, ByteBuffer.wrap("data: two\n\n".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
        try (TestBackend backend = TestBackend.with("sse", events);
             TestGateway gateway = started(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: svc
                       services:
                         svc:
                           loadBalancer:
                             responseForwarding:
                               flushInterval: 100ms
                             servers:
                               - url: %s
                     """.formatted(backend.url()), "r@file")) {
            long start = System.nanoTime();
            HttpResponse<InputStream> response = CLIENT.send(HttpRequest.newBuilder(URI.create(gateway.url("/events")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                assertEquals("data: one", reader.readLine());
                long millis = (System.nanoTime() - start) / 1_000_000;
                firstReceived.countDown();
                assertTrue(millis < 2000, "the first event took " + millis + " ms");
                assertEquals("", reader.readLine());
                assertEquals("data: two", reader.readLine());
            }
            assertTrue(!waitedInVain.get());
        }
    }

    @Test
    void stickyCookiePinsAClientAndMovesItWhenItsServerDies() throws Exception {
        TestBackend one = TestBackend.echo("one");
        TestBackend two = TestBackend.echo("two");
        try (TestGateway gateway = started(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: svc
                       services:
                         svc:
                           loadBalancer:
                             sticky:
                               cookie:
                                 name: pin
                                 httpOnly: true
                                 sameSite: lax
                             servers:
                               - url: %s
                               - url: %s
                     """.formatted(one.url(), two.url()), "r@file")) {
            CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
            HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(cookies)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> first = get(browser, gateway.url("/s"));
            String setCookie = first.headers().firstValue("Set-Cookie").orElse(null);
            assertNotNull(setCookie);
            assertTrue(setCookie.startsWith("pin=") && setCookie.contains("Path=/") && setCookie.contains("HttpOnly")
                    && setCookie.contains("SameSite=Lax"), setCookie);
            String pinned = backendOf(first);
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> next = get(browser, gateway.url("/s"));
                assertEquals(pinned, backendOf(next));
                assertTrue(next.headers().firstValue("Set-Cookie").isEmpty(), "cookie rewritten while the server is up");
            }
            // Another client without the cookie is balanced as usual.
            assertNotEquals(backendOf(get(CLIENT, gateway.url("/s"))), backendOf(get(CLIENT, gateway.url("/s"))));

            (pinned.equals("one") ? one : two).close();
            HttpResponse<String> moved = get(browser, gateway.url("/s"));
            assertEquals(200, moved.statusCode(), moved.body());
            String other = pinned.equals("one") ? "two" : "one";
            assertEquals(other, backendOf(moved));
            assertTrue(moved.headers().firstValue("Set-Cookie").isPresent(), "the cookie was not rewritten");
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> next = get(browser, gateway.url("/s"));
                assertEquals(other, backendOf(next));
                assertTrue(next.headers().firstValue("Set-Cookie").isEmpty());
            }
        } finally {
            one.close();
            two.close();
        }
    }

    @Test
    void defaultStickyCookieNameIsDerivedFromTheServiceNameAsTraefikDoes() throws Exception {
        try (TestBackend one = TestBackend.echo("one");
             TestGateway gateway = started(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: svc
                       services:
                         svc:
                           loadBalancer:
                             sticky:
                               cookie: {}
                             servers:
                               - url: %s
                     """.formatted(one.url()), "r@file")) {
            String setCookie = get(CLIENT, gateway.url("/")).headers().firstValue("Set-Cookie").orElseThrow();
            java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
            String expected = ("_" + java.util.HexFormat.of().formatHex(
                    sha1.digest("_TRAEFIK_BACKEND_svc@file".getBytes(StandardCharsets.UTF_8)))).substring(0, 6);
            assertTrue(setCookie.startsWith(expected + "="), setCookie + " (expected name " + expected + ")");
        }
    }

    @Test
    void weightedServicesSplitByWeightAndSkipAServiceWithoutHealthyServers() throws Exception {
        AtomicBoolean sickB = new AtomicBoolean();
        try (TestBackend a = TestBackend.echo("a");
             TestBackend b = TestBackend.with("b", HealthAndRetryTest.named("b", sickB, new AtomicInteger()));
             TestGateway gateway = started(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: app
                       services:
                         app:
                           weighted:
                             services:
                               - name: v1
                                 weight: 1
                               - name: v2@file
                                 weight: 1
                         v1:
                           loadBalancer:
                             servers:
                               - url: %s
                         v2:
                           loadBalancer:
                             healthCheck:
                               path: /health
                               interval: 100ms
                             servers:
                               - url: %s
                     """.formatted(a.url(), b.url()), "r@file")) {
            Map<String, Integer> counts = new TreeMap<>();
            for (int i = 0; i < 10; i++) {
                counts.merge(backendOf(get(CLIENT, gateway.url("/"))), 1, Integer::sum);
            }
            assertEquals(Map.of("a", 5, "b", 5), counts);
            sickB.set(true);
            HealthAndRetryTest.awaitCondition(() -> {
                for (int i = 0; i < 4; i++) {
                    if (!backendOf(get(CLIENT, gateway.url("/"))).equals("a")) {
                        return false;
                    }
                }
                return true;
            }, "the weighted service skips v2");
        }
    }

    @Test
    void mirroringCopiesRequestsToTheMirrorWithoutWaitingForIt() throws Exception {
        List<String> mirrorLog = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        Handler mirrorHandler = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                mirrorLog.add(request.getMethod() + " " + request.getHttpURI().getPathQuery() + " " + body);
                release.await(10, TimeUnit.SECONDS);   // a slow mirror must not slow the main response
                callback.succeeded();
                return true;
            }
        };
        try (TestBackend main = TestBackend.echo("main");
             TestBackend mirror = TestBackend.with("mirror", mirrorHandler);
             TestGateway gateway = started(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: mirrored
                       services:
                         mirrored:
                           mirroring:
                             service: main
                             maxBodySize: 10
                             mirrors:
                               - name: copy
                                 percent: 100
                         main:
                           loadBalancer:
                             servers:
                               - url: %s
                         copy:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(main.url(), mirror.url()), "r@file")) {
            long start = System.nanoTime();
            HttpResponse<String> plain = get(CLIENT, gateway.url("/a?x=1"));
            assertEquals(200, plain.statusCode());
            assertTrue(plain.body().contains("backend=main"));
            HttpResponse<String> small = CLIENT.send(HttpRequest.newBuilder(URI.create(gateway.url("/small")))
                    .POST(HttpRequest.BodyPublishers.ofString("tiny")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, small.statusCode());
            HttpResponse<String> large = CLIENT.send(HttpRequest.newBuilder(URI.create(gateway.url("/large")))
                    .POST(HttpRequest.BodyPublishers.ofString("far more than ten bytes")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, large.statusCode());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 3000, "the main responses waited for the mirror: " + millis + " ms");
            release.countDown();
            // A request sent after the large one is the marker: once its copy is there, a copy of the large body
            // would have been sent before it.
            assertEquals(200, get(CLIENT, gateway.url("/marker")).statusCode());
            HealthAndRetryTest.awaitCondition(() -> mirrorLog.contains("GET /marker "), "the marker's copy arrives");
            // Copies are fire and forget: they may arrive in any order.
            assertEquals(new java.util.TreeSet<>(List.of("GET /a?x=1 ", "GET /marker ", "POST /small tiny")),
                    new java.util.TreeSet<>(mirrorLog), mirrorLog.toString());
            assertEquals(3, mirrorLog.size(), mirrorLog.toString());
            assertEquals(4, main.requests());
        }
    }

    @Test
    void failoverSwitchesToTheFallbackWhileTheMainServiceIsUnhealthy() throws Exception {
        AtomicBoolean sick = new AtomicBoolean();
        try (TestBackend main = TestBackend.with("main", HealthAndRetryTest.named("main", sick, new AtomicInteger()));
             TestBackend backup = TestBackend.echo("backup");
             TestGateway gateway = started(dir, """
                     http:
                       routers:
                         r:
                           rule: PathPrefix(`/`)
                           service: app
                       services:
                         app:
                           failover:
                             service: main
                             fallback: backup
                         main:
                           loadBalancer:
                             healthCheck:
                               path: /health
                               interval: 100ms
                             servers:
                               - url: %s
                         backup:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(main.url(), backup.url()), "r@file")) {
            assertEquals("main", backendOf(get(CLIENT, gateway.url("/"))));
            sick.set(true);
            HealthAndRetryTest.awaitCondition(() -> backendOf(get(CLIENT, gateway.url("/"))).equals("backup"), "fail over");
            sick.set(false);
            HealthAndRetryTest.awaitCondition(() -> backendOf(get(CLIENT, gateway.url("/"))).equals("main"), "fail back");
        }
    }

    @Test
    void servicesReferringToEachOtherInACycleAreConfigurationErrors() throws Exception {
        try (TestBackend a = TestBackend.echo("a");
             TestGateway gateway = started(dir, """
                     http:
                       routers:
                         ok:
                           rule: PathPrefix(`/ok`)
                           service: plain
                         loop:
                           rule: PathPrefix(`/loop`)
                           service: one
                       services:
                         plain:
                           loadBalancer:
                             servers:
                               - url: %s
                         one:
                           weighted:
                             services:
                               - name: two
                         two:
                           failover:
                             service: one
                             fallback: plain
                     """.formatted(a.url()), "ok@file")) {
            assertEquals(200, get(CLIENT, gateway.url("/ok")).statusCode());
            assertEquals(404, get(CLIENT, gateway.url("/loop")).statusCode());
            String problems = gateway.application().runtime().problems().toString();
            assertTrue(problems.contains("cycle: one@file -> two@file -> one@file")
                    || problems.contains("cycle: two@file -> one@file -> two@file"), problems);
        }
    }
}
