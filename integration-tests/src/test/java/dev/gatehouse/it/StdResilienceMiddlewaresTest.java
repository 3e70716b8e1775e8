package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The middlewares of the bundled middlewares-std plugin that deal with failures ({@code errors}, {@code retry},
 * {@code circuitBreaker}), through the real gateway and real backends, from a file configuration.
 */
class StdResilienceMiddlewaresTest {

    @TempDir
    Path dir;

    /** Answers with the status in the path ({@code /status/503}), 200 otherwise, and a body naming itself. */
    static Handler statusBackend(String name) {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = request.getHttpURI().getPath();
                int status = path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 200;
                response.setStatus(status);
                response.getHeaders().put("X-From", name);
                response.write(true, ByteBuffer.wrap((name + " " + path).getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
    }

    @Test
    void errorPagesComeFromTheirServiceWithTheOriginalStatus() throws Exception {
        try (TestBackend app = TestBackend.with("app", statusBackend("app"));
             TestBackend pages = TestBackend.with("pages", statusBackend("pages"));
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         app:
                           rule: PathPrefix(`/`)
                           middlewares: [pretty-errors]
                           service: app
                       middlewares:
                         pretty-errors:
                           errors:
                             status: ["500-599", "404"]
                             service: pages
                             query: /errors/{status}.html
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                         pages:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(app.url(), pages.url()))) {
            gateway.start();

            HttpResponse<String> fine = Http.get(gateway.url("/hello"));
            assertEquals(200, fine.statusCode());
            assertEquals("app /hello", fine.body());

            HttpResponse<String> failed = Http.get(gateway.url("/status/503"));
            assertEquals(503, failed.statusCode());
            assertEquals("pages /errors/503.html", failed.body());
            assertEquals("pages", failed.headers().firstValue("X-From").orElseThrow());

            HttpResponse<String> teapot = Http.get(gateway.url("/status/418"));
            assertEquals(418, teapot.statusCode());
            assertEquals("app /status/418", teapot.body(), "not in the ranges: untouched");
        }
    }

    @Test
    void retrySendsAgainWhenTheServerRefusedTheConnectionUntilItAccepts() throws Exception {
        int port = Gateways.freePort();
        try (TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         late:
                           rule: PathPrefix(`/late`)
                           middlewares: [patient]
                           service: late
                         never:
                           rule: PathPrefix(`/never`)
                           middlewares: [twice]
                           service: late
                       middlewares:
                         patient:
                           retry:
                             attempts: 6
                             initialInterval: 600ms
                         twice:
                           retry:
                             attempts: 2
                             initialInterval: 400ms
                       services:
                         late:
                           loadBalancer:
                             # the always-on passive health check would leave the server out after one refusal
                             passiveHealthCheck:
                               maxFailedAttempts: 100
                             servers:
                               - url: http://127.0.0.1:%d
                     """.formatted(port))) {
            gateway.start();

            long start = System.nanoTime();
            HttpResponse<String> refused = Http.get(gateway.url("/never"));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(502, refused.statusCode(), "every attempt refused: the last attempt's answer");
            assertTrue(elapsedMs >= 200, "waited half the interval at least before the second attempt: " + elapsedMs);

            Server late = new Server();
            ServerConnector connector = new ServerConnector(late);
            connector.setHost("127.0.0.1");
            connector.setPort(port);
            late.addConnector(connector);
            late.setHandler(statusBackend("late"));
            try {
                // The first attempt is refused; the backend starts during the first wait (at least 300 ms).
                CompletableFuture<HttpResponse<String>> pending = Http.client().sendAsync(
                        HttpRequest.newBuilder(URI.create(gateway.url("/late/x"))).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                Thread.sleep(150);
                late.start();
                HttpResponse<String> accepted = pending.get(20, TimeUnit.SECONDS);
                assertEquals(200, accepted.statusCode());
                assertEquals("late /late/x", accepted.body());
            } finally {
                late.stop();
            }
        }
    }

    @Test
    void aCircuitBreakerTripsOnErrorsAndAnswersItselfWhileOpen() throws Exception {
        try (TestBackend app = TestBackend.with("app", statusBackend("app"));
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         guarded:
                           rule: PathPrefix(`/`)
                           middlewares: [breaker]
                           service: app
                       middlewares:
                         breaker:
                           circuitBreaker:
                             expression: ResponseCodeRatio(500, 600, 0, 600) > 0.5 || NetworkErrorRatio() > 0.9
                             checkPeriod: 1ms
                             fallbackDuration: 30s
                             responseCode: 429
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(app.url()))) {
            gateway.start();
            assertEquals(200, Http.get(gateway.url("/hello")).statusCode());
            int errors = 0;
            HttpResponse<String> response = null;
            for (int i = 0; i < 20; i++) {
                Thread.sleep(5);
                response = Http.get(gateway.url("/status/500"));
                if (response.statusCode() != 500) {
                    break;
                }
                errors++;
            }
            assertEquals(429, response.statusCode(), "tripped after " + errors + " errors");
            int before = app.requests();
            HttpResponse<String> blocked = Http.get(gateway.url("/hello"));
            assertEquals(429, blocked.statusCode());
            assertEquals("Too Many Requests", blocked.body());
            assertEquals(before, app.requests(), "the backend is spared while the breaker is open");
        }
    }
}
