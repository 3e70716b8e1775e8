package dev.gatehouse.it;

import dev.gatehouse.testkit.TestGateway;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's own endpoints are routers of the internal provider, as Traefik's: in the routing table with
 * everyone else's at reserved priorities, and listed by the API like any router.
 */
class InternalRoutersTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A user's router that takes every request on every entry point, at a priority above any rule length. */
    private static final String CATCH_ALL = """
            http:
              routers:
                everything:
                  rule: PathPrefix(`/`)
                  priority: 2147483000
                  service: app
              services:
                app:
                  loadBalancer:
                    servers:
                      - url: %s
            """;

    /** An ACME resolver answering HTTP-01 on web; no router asks it for a certificate, so it never calls its CA. */
    private static final String ACME_ON_WEB = """
            certificatesResolvers:
              le:
                acme:
                  email: ops@example.com
                  caServer: https://127.0.0.1:1/dir
                  storage: %s
                  httpChallenge:
                    entryPoint: web
            """;

    @Test
    void anUnknownAcmeTokenIsAnswered404ByTheChallengeHandlerAheadOfACatchAllRouter() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir, CATCH_ALL.formatted(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     """ + ACME_ON_WEB.formatted(dir.resolve("acme.json"))).start()) {
            RawHttp.Response challenge = RawHttp.exchange(gateway.port("web"),
                    "GET /.well-known/acme-challenge/unknown-token HTTP/1.1\r\nHost: a.example.test\r\nConnection: close");
            assertEquals(404, challenge.status(), "Traefik's challenge handler refuses a token it does not know");
            assertEquals(0, backend.requests(), "the challenge path never reaches the user's catch-all router");

            RawHttp.Response other = RawHttp.exchange(gateway.port("web"),
                    "GET /.well-known/other HTTP/1.1\r\nHost: a.example.test\r\nConnection: close");
            assertEquals(200, other.status(), "the rest of /.well-known is the user's");
            assertEquals(1, backend.requests());
        }
    }

    @Test
    void theOperationsRoutersWinOverAUsersCatchAllAndTheRestStaysTheUsers() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir, CATCH_ALL.formatted(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                       gatehouse:
                         address: "127.0.0.1:0"
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     ping: {}
                     api:
                       insecure: true
                     metrics:
                       prometheus: {}
                     """).start()) {
            int operations = gateway.port("gatehouse");
            assertEquals("OK", Http.get("http://127.0.0.1:" + operations + "/ping").body());
            HttpResponse<String> version = Http.get("http://127.0.0.1:" + operations + "/api/version");
            assertEquals(200, version.statusCode());
            assertTrue(version.body().contains("\"Version\""), version.body());
            HttpResponse<String> dashboard = Http.get("http://127.0.0.1:" + operations + "/dashboard/");
            assertEquals(200, dashboard.statusCode());
            assertTrue(dashboard.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            HttpResponse<String> metrics = Http.get("http://127.0.0.1:" + operations + "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("traefik_"), metrics.body());
            assertEquals(0, backend.requests(), "the internal routers come first: " + backend.requests());

            HttpResponse<String> other = Http.get("http://127.0.0.1:" + operations + "/elsewhere");
            assertEquals(200, other.statusCode(), "a path no internal router takes goes to the user's routers");
            assertTrue(other.body().contains("backend=app"), other.body());
        }
    }

    @Test
    void theApiListsTheInternalRoutersWithTheirPrioritiesAndTheRedirectionMiddleware() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir, CATCH_ALL.formatted(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                         http:
                           redirections:
                             entryPoint:
                               to: websecure
                       websecure:
                         address: "127.0.0.1:0"
                       gatehouse:
                         address: "127.0.0.1:0"
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     ping: {}
                     api:
                       insecure: true
                     metrics:
                       prometheus: {}
                     """ + ACME_ON_WEB.formatted(dir.resolve("acme.json"))).start()) {
            String api = "http://127.0.0.1:" + gateway.port("gatehouse") + "/api";
            Map<String, JsonNode> internal = new TreeMap<>();
            for (JsonNode router : JSON.readTree(Http.get(api + "/http/routers?per_page=100").body())) {
                if ("internal".equals(router.path("provider").asText())) {
                    internal.put(router.path("name").asText(), router);
                }
            }
            assertEquals(List.of("acme-http@internal", "api@internal", "dashboard@internal", "ping@internal",
                    "prometheus@internal", "web-to-websecure@internal"), List.copyOf(internal.keySet()));
            internal.values().forEach(router -> assertEquals("enabled", router.path("status").asText(), router.toString()));

            assertRouter(internal.get("ping@internal"), "PathPrefix(`/ping`)", "gatehouse", "ping@internal",
                    Integer.MAX_VALUE);
            assertRouter(internal.get("prometheus@internal"), "PathPrefix(`/metrics`)", "gatehouse",
                    "prometheus@internal", Integer.MAX_VALUE);
            assertRouter(internal.get("acme-http@internal"), "PathPrefix(`/.well-known/acme-challenge/`)", "web",
                    "acme-http@internal", Integer.MAX_VALUE);
            assertRouter(internal.get("api@internal"), "PathPrefix(`/api`)", "gatehouse", "api@internal",
                    Integer.MAX_VALUE - 1);
            assertRouter(internal.get("dashboard@internal"), "Path(`/`) || PathPrefix(`/dashboard`)", "gatehouse",
                    "dashboard@internal", Integer.MAX_VALUE - 2);
            JsonNode redirection = internal.get("web-to-websecure@internal");
            assertRouter(redirection, "PathPrefix(`/`)", "web", "noop@internal", Integer.MAX_VALUE - 1);
            assertEquals("redirect-web-to-websecure", redirection.path("middlewares").path(0).asText(),
                    redirection.toString());

            HttpResponse<String> middleware = Http.get(api + "/http/middlewares/redirect-web-to-websecure@internal");
            assertEquals(200, middleware.statusCode(), middleware.body());
            JsonNode redirectScheme = JSON.readTree(middleware.body()).path("redirectScheme");
            assertEquals("https", redirectScheme.path("scheme").asText(), middleware.body());
            assertEquals(String.valueOf(gateway.port("websecure")), redirectScheme.path("port").asText(), middleware.body());

            // The redirection outranks the user's catch-all router on web, which still serves websecure.
            RawHttp.Response redirected = RawHttp.exchange(gateway.port("web"),
                    "GET /x HTTP/1.1\r\nHost: app.local\r\nConnection: close");
            assertEquals(301, redirected.status());
            assertFalse(redirected.all("Location").isEmpty());
            assertEquals("https://app.local:" + gateway.port("websecure") + "/x", redirected.all("Location").get(0));
            assertEquals(0, backend.requests());
        }
    }

    @Test
    void aRedirectionBelowAUsersRouterPriorityLetsThatRouterAnswer() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         bypass:
                           rule: PathPrefix(`/public`)
                           priority: 20
                           service: app
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                         http:
                           redirections:
                             entryPoint:
                               to: ":443"
                               priority: 10
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     """).start()) {
            RawHttp.Response bypassed = RawHttp.exchange(gateway.port("web"),
                    "GET /public/a HTTP/1.1\r\nHost: app.local\r\nConnection: close");
            assertEquals(200, bypassed.status(), "entryPoint.priority 10 ranks the redirection below the router");
            RawHttp.Response redirected = RawHttp.exchange(gateway.port("web"),
                    "GET /private HTTP/1.1\r\nHost: app.local\r\nConnection: close");
            assertEquals(301, redirected.status());
            assertEquals("https://app.local/private", redirected.all("Location").get(0));
        }
    }

    private static void assertRouter(JsonNode router, String rule, String entryPoint, String service, int priority) {
        assertEquals(rule, router.path("rule").asText(), router.toString());
        assertEquals(List.of(entryPoint), JSON.convertValue(router.path("entryPoints"), List.class), router.toString());
        assertEquals(service, router.path("service").asText(), router.toString());
        assertEquals(priority, router.path("priority").asInt(), router.toString());
    }
}
