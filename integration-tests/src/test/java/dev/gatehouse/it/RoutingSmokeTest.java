package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shortest path through everything: a file-provider route to a real backend, and a 404 beside it. */
class RoutingSmokeTest {

    @TempDir
    Path dir;

    @Test
    void routesAMatchingRequestToTheBackendAndAnswers404Otherwise() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
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
                     """.formatted(backend.url())).start()) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> routed = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/app/x?q=1"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, routed.statusCode());
            assertTrue(routed.body().contains("backend=one"), routed.body());
            assertTrue(routed.body().contains("uri=/app/x?q=1"), routed.body());

            HttpResponse<String> unmatched = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/other"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, unmatched.statusCode());
            assertEquals("404 page not found\n", unmatched.body());
        }
    }
}
