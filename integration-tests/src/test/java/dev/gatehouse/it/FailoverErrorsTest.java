package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * {@code failover.errors} (Traefik v3.7, its {@code integration/fixtures/failover_statuscode.toml}): an answer of
 * the main service with a status in {@code errors.status} is dropped and the request, body and all, goes to the
 * fallback; other answers reach the client; a body over {@code maxRequestBodyBytes} is answered 413.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailoverErrorsTest {

    @TempDir
    static Path dir;

    private static TestBackend main;
    private static TestBackend fallback;
    private static TestGateway gateway;

    /**
     * Answers with the status in the path ({@code /status/503}) when {@code failing}, 200 otherwise, naming itself and
     * the body it got.
     */
    static Handler backend(String name, boolean failing) {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws IOException {
                String path = request.getHttpURI().getPath();
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                int slash = path.indexOf("/status/");
                response.setStatus(failing && slash >= 0 ? Integer.parseInt(path.substring(slash + 8)) : 200);
                response.getHeaders().put("X-From-" + name, "yes");
                response.write(true, ByteBuffer.wrap((name + " got '" + body + "'").getBytes(StandardCharsets.UTF_8)),
                        callback);
                return true;
            }
        };
    }

    @BeforeAll
    static void start() throws Exception {
        main = TestBackend.with("main", backend("main", true));
        fallback = TestBackend.with("fallback", backend("fallback", false));
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    ha:
                      rule: PathPrefix(`/ha`)
                      service: ha
                    small:
                      rule: PathPrefix(`/small`)
                      service: small
                  services:
                    ha:
                      failover:
                        service: main
                        fallback: backup
                        errors:
                          status: ["500-504"]
                    small:
                      failover:
                        service: main
                        fallback: backup
                        errors:
                          status: ["500-504"]
                          maxRequestBodyBytes: 16
                    main:
                      loadBalancer:
                        servers:
                          - url: %s
                    backup:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(main.url(), fallback.url())).start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("ha@file") && gateway.routerEnabled("small@file"),
                Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        main.close();
        fallback.close();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return Http.client().send(HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(10))
                .method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anErrorStatusOfTheMainServiceGoesToTheFallbackWithItsBody() throws Exception {
        int mainBefore = main.requests();
        HttpResponse<String> response = send("POST", "/ha/status/503", "order #42");
        assertEquals(200, response.statusCode());
        assertEquals("fallback got 'order #42'", response.body());
        assertFalse(response.headers().firstValue("X-From-main").isPresent(), "the main answer's headers were dropped");
        assertEquals(mainBefore + 1, main.requests(), "the main service was asked first");
    }

    @Test
    void otherStatusesComeFromTheMainService() throws Exception {
        HttpResponse<String> notFound = send("GET", "/ha/status/404", null);
        assertEquals(404, notFound.statusCode());
        assertEquals("main got ''", notFound.body());
        HttpResponse<String> ok = send("PUT", "/ha/fine", "data");
        assertEquals(200, ok.statusCode());
        assertEquals("main got 'data'", ok.body());
    }

    @Test
    void aBodyOverMaxRequestBodyBytesIsAnswered413() throws Exception {
        int mainBefore = main.requests();
        HttpResponse<String> tooLarge = send("POST", "/small/status/500", "more than sixteen bytes of body");
        assertEquals(413, tooLarge.statusCode());
        assertEquals("Request body too large\n", tooLarge.body(), "Traefik's text, written by http.Error");
        assertEquals("text/plain; charset=utf-8", tooLarge.headers().firstValue("Content-Type").orElse(null),
                "as every answer the gateway makes itself");
        assertEquals(mainBefore, main.requests());
        assertEquals("fallback got 'short'", send("POST", "/small/status/500", "short").body());
    }
}
