package dev.gatehouse.plugins.middlewares.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** errors (Traefik's custom_errors_test.go cases): which responses are replaced, by what, with which status. */
class ErrorsTest {

    /** What the page service got: method, path and query, and a header. */
    private final AtomicReference<String> pageSeen = new AtomicReference<>();

    /** The error page service: answers 200 (its status is not what the client gets) with a page naming the path. */
    private final Handler pages = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            pageSeen.set(request.getMethod() + " " + request.getHttpURI().getPathQuery() + " host=" + request.getHeaders().get("Host")
                    + " length=" + request.getHeaders().get("Content-Length"));
            response.setStatus(200);
            response.getHeaders().put("Content-Type", "text/html");
            response.getHeaders().put("X-Page", "yes");
            response.write(true, ByteBuffer.wrap(("page " + request.getHttpURI().getPathQuery()).getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    };

    private final MiddlewareContext context = name -> {
        if (!name.equals("pages")) {
            throw new IllegalArgumentException("service '" + name + "@file' does not exist");
        }
        return pages;
    };

    private static MiddlewareTester.Responder backend(int status, String body) {
        return (request, response, callback) -> {
            response.setStatus(status);
            response.getHeaders().put("X-Backend", "yes");
            response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        };
    }

    @Test
    void replacesResponsesWhoseStatusIsInTheRanges() throws Exception {
        record Case(String name, List<String> status, Map<String, Integer> rewrites, String query, int backendStatus,
                int expectedStatus, String expectedBody) {
        }
        List<Case> cases = List.of(
                new Case("no error", List.of("500-599"), null, "/{status}.html", 200, 200, "backend"),
                new Case("in range", List.of("500-599"), null, "/{status}.html", 503, 503, "page /503.html"),
                new Case("single code", List.of("404"), null, "/{status}", 404, 404, "page /404"),
                new Case("comma list", List.of("404,418,505-599"), null, "/e/{status}", 418, 418, "page /e/418"),
                new Case("not in list", List.of("404,418,505-599"), null, "/e/{status}", 500, 500, "backend"),
                new Case("range bounds", List.of("500-502"), null, "/x", 502, 502, "page /x"),
                new Case("empty query", List.of("500"), null, null, 500, 500, "page /"),
                new Case("rewrite", List.of("400-499"), Map.of("418", 404), "/{status}-{originalStatus}", 418, 404,
                        "page /404-418"),
                new Case("rewrite range", List.of("500-599"), Map.of("502-504", 500), "/{status}", 503, 500, "page /500"),
                new Case("url", List.of("500"), null, "/err?u={url}", 500, 500, "page /err?u=%2Fpath%3Fa%3Db%2Bc%2A"));
        for (Case c : cases) {
            Errors.Config config = new Errors.Config(c.status(), c.rewrites(), "pages", c.query());
            try (MiddlewareTester t = new MiddlewareTester(new Errors().create(config, context))) {
                t.respond(backend(c.backendStatus(), "backend"));
                HttpTester.Response response = t.get("/path?a=b+c*");
                assertEquals(c.expectedStatus(), response.getStatus(), c.name());
                assertEquals(c.expectedBody(), response.getContent(), c.name());
                boolean replaced = !c.expectedBody().equals("backend");
                assertEquals(replaced ? null : "yes", response.get("X-Backend"), c.name() + ": the backend's headers go with its body");
                assertEquals(replaced ? "yes" : null, response.get("X-Page"), c.name());
            }
        }
    }

    @Test
    void thePageIsABodylessGetWithTheClientsHost() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new Errors().create(
                new Errors.Config(List.of("500-599"), null, "pages", "/{status}.html"), context))) {
            t.respond(backend(500, "oops"));
            HttpTester.Response response = t.send("POST", "/submit", "a=1", "Host: shop.example");
            assertEquals(500, response.getStatus());
            assertEquals("GET /500.html host=shop.example length=null", pageSeen.get());
            assertEquals("a=1", new String(t.seen().body(), StandardCharsets.UTF_8), "the backend got the original request");
        }
    }

    /** Traefik v3.7's errorRequestHeaders: unset forwards every header, a list only those, an empty list none. */
    @Test
    void errorRequestHeadersChoosesWhichClientHeadersReachThePage() throws Exception {
        AtomicReference<String> headersSeen = new AtomicReference<>();
        Handler recordingPages = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                headersSeen.set("host=" + request.getHeaders().get("Host") + " authorization="
                        + request.getHeaders().get("Authorization") + " cookie=" + request.getHeaders().get("Cookie")
                        + " accept-language=" + request.getHeaders().get("Accept-Language"));
                response.setStatus(200);
                callback.succeeded();
                return true;
            }
        };
        MiddlewareContext recording = name -> recordingPages;
        record Case(List<String> errorRequestHeaders, String expected) {
        }
        List<Case> cases = java.util.Arrays.asList(
                new Case(null, "host=shop.example authorization=Bearer secret cookie=session=1 accept-language=fr"),
                new Case(List.of("accept-language"), "host=shop.example authorization=null cookie=null accept-language=fr"),
                new Case(List.of(), "host=shop.example authorization=null cookie=null accept-language=null"));
        for (Case c : cases) {
            try (MiddlewareTester t = new MiddlewareTester(new Errors().create(
                    new Errors.Config(List.of("500"), null, "pages", "/e", c.errorRequestHeaders()), recording))) {
                t.respond(backend(500, "oops"));
                t.send("GET", "/", null, "Host: shop.example", "Authorization: Bearer secret", "Cookie: session=1",
                        "Accept-Language: fr");
                assertEquals(c.expected(), headersSeen.get(), "errorRequestHeaders " + c.errorRequestHeaders());
            }
        }
    }

    @Test
    void aResponseWithoutBodyIsCaughtWhenTheHandlerCompletes() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new Errors().create(
                new Errors.Config(List.of("404"), null, "pages", "/nf"), context))) {
            t.respond((request, response, callback) -> {
                response.setStatus(404);
                callback.succeeded();
            });
            HttpTester.Response response = t.get("/missing");
            assertEquals(404, response.getStatus());
            assertEquals("page /nf", response.getContent());
        }
    }

    @Test
    void headersSetBeforeTheMiddlewareStay() throws Exception {
        Handler.Wrapper errors = new Errors().create(new Errors.Config(List.of("500"), null, "pages", "/e"), context);
        Handler.Wrapper outer = new Handler.Wrapper() {
            @Override
            public void setHandler(Handler next) {
                // the tester's next handler goes after errors
                errors.setHandler(next);
                super.setHandler(errors);
            }

            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                response.getHeaders().put("X-Outer", "kept");
                return super.handle(request, response, callback);
            }
        };
        try (MiddlewareTester t = new MiddlewareTester(outer)) {
            t.respond(backend(500, "x"));
            HttpTester.Response response = t.get("/");
            assertEquals("kept", response.get("X-Outer"));
            assertEquals("page /e", response.getContent());
        }
    }

    @Test
    void invalidOptionsAreRejectedWithTheirName() {
        IllegalArgumentException noService = assertThrows(IllegalArgumentException.class,
                () -> new Errors().create(new Errors.Config(List.of("500"), null, null, "/"), context));
        assertTrue(noService.getMessage().contains("'service' is required"), noService.getMessage());
        IllegalArgumentException badStatus = assertThrows(IllegalArgumentException.class,
                () -> new Errors().create(new Errors.Config(List.of("5xx"), null, "pages", "/"), context));
        assertTrue(badStatus.getMessage().contains("'status': '5xx' is not a status code"), badStatus.getMessage());
        IllegalArgumentException reversed = assertThrows(IllegalArgumentException.class,
                () -> new Errors().create(new Errors.Config(List.of("599-500"), null, "pages", "/"), context));
        assertTrue(reversed.getMessage().contains("ends before it starts"), reversed.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new Errors().create(new Errors.Config(List.of("500"), null, "nope", "/"), context));
        assertTrue(missing.getMessage().contains("service 'nope@file' does not exist"), missing.getMessage());
    }
}
