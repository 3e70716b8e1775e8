package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headers, auth, IP, limit and compress families of the bundled middlewares-std plugin, loaded by PF4J from the
 * plugins folder (with its shaded RE2/J, bcrypt and brotli4j), through the real gateway, from a file configuration.
 */
class StdMiddlewaresTest {

    /** {@code htpasswd -nbB -C 5 alice secret} (Debian apache2-utils). */
    static final String ALICE = "alice:$2y$05$LxSuKX8LmbGEwQ6Cn6ZM5evQWQDMIqDN4i.s9ZXNviI3qZoVl7IeG";

    static final byte[] PAGE = "<p>Gatehouse compresses what is worth it.</p>\n".repeat(400).getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return Http.client().send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void headersAuthIpLimitsAndCompressionThroughTheGateway() throws Exception {
        Handler page = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "text/html; charset=utf-8");
                response.getHeaders().put("X-Powered-By", "backend");
                response.write(true, ByteBuffer.wrap(PAGE), callback);
                return true;
            }
        };
        try (TestBackend echo = TestBackend.echo("echo");
             TestBackend html = TestBackend.with("html", page);
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         cors:
                           rule: PathPrefix(`/cors`)
                           middlewares: [cors, secure]
                           service: echo
                         auth:
                           rule: PathPrefix(`/auth`)
                           middlewares: [users]
                           service: echo
                         inside:
                           rule: PathPrefix(`/inside`)
                           middlewares: [loopback-only]
                           service: echo
                         outside:
                           rule: PathPrefix(`/outside`)
                           middlewares: [tens-only]
                           service: echo
                         limited:
                           rule: PathPrefix(`/limited`)
                           middlewares: [five-a-minute]
                           service: echo
                         page:
                           rule: PathPrefix(`/page`)
                           middlewares: [compress]
                           service: html
                       middlewares:
                         cors:
                           headers:
                             accessControlAllowOriginList: ["https://app.example"]
                             accessControlAllowMethods: [GET, PUT]
                             accessControlAllowHeaders: [Content-Type, X-Token]
                             accessControlMaxAge: 100
                             addVaryHeader: true
                             customRequestHeaders:
                               X-Script-Name: test
                         secure:
                           headers:
                             frameDeny: true
                             contentTypeNosniff: true
                             customResponseHeaders:
                               X-Powered-By: ""
                         users:
                           basicAuth:
                             users: ["%s"]
                             removeHeader: true
                             headerField: X-WebAuth-User
                         loopback-only:
                           ipAllowList:
                             sourceRange: [127.0.0.1/32, "::1"]
                         tens-only:
                           ipAllowList:
                             sourceRange: [10.0.0.0/8]
                         five-a-minute:
                           rateLimit:
                             average: 5
                             period: 1m
                             burst: 5
                         compress:
                           compress: {}
                       services:
                         echo:
                           loadBalancer:
                             servers:
                               - url: %s
                         html:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(ALICE, echo.url(), html.url()))) {
            gateway.start();

            // CORS preflight as a browser sends it: answered by the gateway, never reaching the backend.
            int before = echo.requests();
            HttpResponse<byte[]> preflight = send(HttpRequest.newBuilder(URI.create(gateway.url("/cors/items")))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.example")
                    .header("Access-Control-Request-Method", "PUT")
                    .header("Access-Control-Request-Headers", "content-type,x-token"));
            assertEquals(200, preflight.statusCode());
            assertEquals("https://app.example", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertEquals("GET,PUT", preflight.headers().firstValue("Access-Control-Allow-Methods").orElse(null));
            assertEquals("Content-Type,X-Token", preflight.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
            assertEquals("100", preflight.headers().firstValue("Access-Control-Max-Age").orElse(null));
            assertEquals(before, echo.requests());

            HttpResponse<String> cors = Http.get(gateway.url("/cors/items"), "Origin", "https://app.example");
            assertEquals("https://app.example", cors.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertTrue(cors.headers().allValues("Vary").toString().contains("Origin"));
            assertEquals("DENY", cors.headers().firstValue("X-Frame-Options").orElse(null));
            assertEquals("nosniff", cors.headers().firstValue("X-Content-Type-Options").orElse(null));
            assertEquals("test", Echoed.parse(cors.body()).header("X-Script-Name"));

            // basicAuth with a bcrypt hash written by htpasswd.
            HttpResponse<String> anonymous = Http.get(gateway.url("/auth"));
            assertEquals(401, anonymous.statusCode());
            assertEquals("Basic realm=\"traefik\"", anonymous.headers().firstValue("WWW-Authenticate").orElse(null));
            String good = "Basic " + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
            String bad = "Basic " + Base64.getEncoder().encodeToString("alice:wrong".getBytes(StandardCharsets.UTF_8));
            assertEquals(401, Http.get(gateway.url("/auth"), "Authorization", bad).statusCode());
            HttpResponse<String> authorized = Http.get(gateway.url("/auth"), "Authorization", good);
            assertEquals(200, authorized.statusCode());
            Echoed seen = Echoed.parse(authorized.body());
            assertEquals("alice", seen.header("X-WebAuth-User"));
            assertNull(seen.header("Authorization"));

            // ipAllowList on the connection's address (the test client is on loopback).
            assertEquals(200, Http.get(gateway.url("/inside")).statusCode());
            HttpResponse<String> outside = Http.get(gateway.url("/outside"), "X-Forwarded-For", "10.1.2.3");
            assertEquals(403, outside.statusCode());
            assertEquals("Forbidden", outside.body());

            // rateLimit: 5 a minute with a burst of 5: over 12 quick requests, 5 pass and 7 get 429 with Retry-After.
            int ok = 0;
            int limited = 0;
            for (int i = 0; i < 12; i++) {
                HttpResponse<String> r = Http.get(gateway.url("/limited"));
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertEquals(429, r.statusCode());
                    assertTrue(Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow()) > 0);
                    limited++;
                }
            }
            assertEquals(5, ok);
            assertEquals(7, limited);

            // compress: gzip decoded by the JDK, brotli by brotli4j; the plugin loaded its native library itself.
            HttpResponse<byte[]> gzip = send(HttpRequest.newBuilder(URI.create(gateway.url("/page"))).header("Accept-Encoding", "gzip"));
            assertEquals("gzip", gzip.headers().firstValue("Content-Encoding").orElse(null));
            assertArrayEquals(PAGE, new GZIPInputStream(new ByteArrayInputStream(gzip.body())).readAllBytes());
            HttpResponse<byte[]> br = send(HttpRequest.newBuilder(URI.create(gateway.url("/page")))
                    .header("Accept-Encoding", "gzip;q=0.9, br"));
            assertEquals("br", br.headers().firstValue("Content-Encoding").orElse(null),
                    "brotli must load inside the plugin: " + gateway.logLines("brotli"));
            Brotli4jLoader.ensureAvailability();   // the test's own decoder; the plugin loaded its copy on its own
            assertArrayEquals(PAGE, new BrotliInputStream(new ByteArrayInputStream(br.body())).readAllBytes());
            assertTrue(br.body().length < PAGE.length / 10);
            HttpResponse<byte[]> plain = send(HttpRequest.newBuilder(URI.create(gateway.url("/page"))));
            assertNull(plain.headers().firstValue("Content-Encoding").orElse(null));
            assertArrayEquals(PAGE, plain.body());
        }
    }

    @Test
    void digestAuthWithJettysDigestClient() throws Exception {
        try (TestBackend echo = TestBackend.echo("echo");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         digest:
                           rule: PathPrefix(`/digest`)
                           middlewares: [digest]
                           service: echo
                       middlewares:
                         digest:
                           digestAuth:
                             users: ["alice:traefik:e66182e4199fd90e2499700ddd5c3e17"]
                             headerField: X-User
                       services:
                         echo:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(echo.url()))) {
            gateway.start();
            assertEquals(401, Http.get(gateway.url("/digest")).statusCode());
            org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient();
            client.start();
            try {
                client.getAuthenticationStore().addAuthentication(new org.eclipse.jetty.client.DigestAuthentication(
                        URI.create(gateway.url("/")), "traefik", "alice", "secret"));
                org.eclipse.jetty.client.ContentResponse ok = client.GET(gateway.url("/digest/page?x=1"));
                assertEquals(200, ok.getStatus());
                assertEquals("alice", Echoed.parse(ok.getContentAsString()).header("X-User"));
            } finally {
                client.stop();
            }
        }
    }

    @Test
    void forwardAuthAsksTheAuthServiceFirst() throws Exception {
        Handler authService = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                boolean ok = "let-me-in".equals(request.getHeaders().get("X-Token"))
                        && "/private/data".equals(request.getHeaders().get("X-Forwarded-Uri"));
                response.setStatus(ok ? 200 : 403);
                if (ok) {
                    response.getHeaders().put("X-Auth-User", "alice");
                }
                response.write(true, ByteBuffer.wrap((ok ? "" : "denied by auth").getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
        try (TestBackend echo = TestBackend.echo("echo");
             TestBackend auth = TestBackend.with("auth", authService);
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         private:
                           rule: PathPrefix(`/private`)
                           middlewares: [ask-auth]
                           service: echo
                       middlewares:
                         ask-auth:
                           forwardAuth:
                             address: %s/verify
                             authResponseHeaders: [X-Auth-User]
                       services:
                         echo:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(auth.url(), echo.url()))) {
            gateway.start();
            HttpResponse<String> denied = Http.get(gateway.url("/private/data"));
            assertEquals(403, denied.statusCode());
            assertEquals("denied by auth", denied.body());
            HttpResponse<String> allowed = Http.get(gateway.url("/private/data"), "X-Token", "let-me-in");
            assertEquals(200, allowed.statusCode());
            assertEquals("alice", Echoed.parse(allowed.body()).header("X-Auth-User"));
        }
    }
}
