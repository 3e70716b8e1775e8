package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
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
             GatewayHarness gateway = GatewayHarness.withDynamic(dir, """
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
}
