package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testkit.TestGateway;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API: every element with its status, errors, provider and usage, in Traefik's shapes; reachable only
 * with {@code api.insecure} (on its own entry point) or through a router to {@code api@internal}.
 */
class ApiTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = Http.get(url);
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode element : list) {
            if (name.equals(element.path("name").asText())) {
                return element;
            }
        }
        throw new AssertionError(name + " not in " + list);
    }

    private static final String DYNAMIC = """
            http:
              routers:
                app:
                  rule: PathPrefix(`/app`)
                  service: app
                broken:
                  rule: Host(`x`) &&
                  service: app
                api:
                  rule: PathPrefix(`/api`)
                  service: api@internal
              services:
                app:
                  loadBalancer:
                    servers:
                      - url: http://127.0.0.1:1
              middlewares:
                unused:
                  someType: {}
            """;

    @Test
    void eachRouterOfAnUnconfiguredCertificateResolverIsInWarningWithItsError() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    a:
                      rule: Host(`a.test`)
                      service: app
                      tls: {certResolver: nope}
                    b:
                      rule: Host(`b.test`)
                      service: app
                      tls: {certResolver: nope}
                    api:
                      rule: PathPrefix(`/api`)
                      service: api@internal
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """).staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  file:
                    directory: dynamic
                api: {}
                """).start()) {
            JsonNode routers = get(gateway.url("/api/http/routers"));
            for (String name : new String[] {"a@file", "b@file"}) {
                JsonNode router = named(routers, name);
                assertEquals("warning", router.path("status").asText(), router.toString());
                assertEquals(1, router.path("error").size(), router.toString());
                assertTrue(router.path("error").get(0).asText().startsWith("certificate resolver 'nope' is not "
                        + "configured"), router.toString());
            }
        }
    }

    @Test
    void showsElementsWithStatusErrorsAndUsageThroughARouter() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, DYNAMIC).staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  file:
                    directory: dynamic
                api: {}
                """).start()) {
            JsonNode routers = get(gateway.url("/api/http/routers"));
            JsonNode app = named(routers, "app@file");
            assertEquals("enabled", app.path("status").asText());
            assertEquals("file", app.path("provider").asText());
            assertEquals("PathPrefix(`/app`)", app.path("rule").asText());
            assertEquals(18, app.path("priority").asInt(), "the effective priority: the rule's length");
            JsonNode broken = named(routers, "broken@file");
            assertEquals("disabled", broken.path("status").asText());
            assertTrue(broken.path("error").get(0).asText().contains("position 13"), broken.toString());

            JsonNode service = named(get(gateway.url("/api/http/services")), "app@file");
            assertEquals("enabled", service.path("status").asText());
            assertEquals("loadbalancer", service.path("type").asText());
            assertTrue(service.path("usedBy").toString().contains("app@file"), service.toString());
            assertEquals("http://127.0.0.1:1", service.path("loadBalancer").path("servers").get(0).path("url").asText());
            // As Traefik, the gateway's own services are listed too, enabled, with the routers that use them.
            JsonNode services = get(gateway.url("/api/http/services"));
            JsonNode api = named(services, "api@internal");
            assertEquals("enabled", api.path("status").asText(), api.toString());
            assertEquals("internal", api.path("provider").asText());
            assertEquals("[\"api@file\"]", api.path("usedBy").toString());
            assertTrue(api.path("type").isMissingNode(), api.toString());
            assertEquals("enabled", named(services, "noop@internal").path("status").asText());
            assertEquals("enabled", named(services, "dashboard@internal").path("status").asText());
            assertTrue(services.findValuesAsText("name").stream().noneMatch(name -> name.startsWith("ping@")
                    || name.startsWith("demo@")), "only the services of the features configured: " + services);

            JsonNode middleware = named(get(gateway.url("/api/http/middlewares")), "unused@file");
            assertEquals("disabled", middleware.path("status").asText());
            assertTrue(middleware.path("error").get(0).asText().contains("unknown middleware type 'someType'"));

            assertEquals("app@file", get(gateway.url("/api/http/routers/app@file")).path("name").asText());
            assertEquals(404, Http.status(gateway.url("/api/http/routers/nope@file")));
            assertEquals(1, get(gateway.url("/api/http/routers?status=disabled")).size());
            assertEquals(1, get(gateway.url("/api/http/routers?search=brok")).size());

            JsonNode overview = get(gateway.url("/api/overview"));
            assertEquals(3, overview.path("http").path("routers").path("total").asInt());
            assertEquals(1, overview.path("http").path("routers").path("errors").asInt());
            assertTrue(get(gateway.url("/api/version")).path("Version").asText().length() > 0);
            assertEquals("web", get(gateway.url("/api/entrypoints")).get(0).path("name").asText());
            assertTrue(get(gateway.url("/api/rawdata")).path("routers").has("app@file"));
            JsonNode plugins = get(gateway.url("/api/plugins")).path("plugins");
            assertTrue(plugins.toString().contains("matchers-http") && plugins.toString().contains("matcher Host"), plugins.toString());
        }
    }

    /**
     * basicAuth and digestAuth users are shown without their password hashes (Traefik v3 shows them; its 1.7.12 fixed
     * that as CVE-2019-12452), wherever the API shows middlewares; the middleware still checks the real ones.
     */
    @Test
    void authMiddlewaresAreShownWithoutTheirPasswordHashes() throws Exception {
        String bcrypt = StdMiddlewaresTest.ALICE.substring("alice:".length());
        String digest = "e66182e4199fd90e2499700ddd5c3e17";
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         app:
                           rule: PathPrefix(`/app`)
                           middlewares: [basic]
                           service: app
                         api:
                           rule: PathPrefix(`/api`)
                           service: api@internal
                       middlewares:
                         basic:
                           basicAuth:
                             users: ["%s"]
                         digest:
                           digestAuth:
                             users: ["alice:traefik:%s"]
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(StdMiddlewaresTest.ALICE, digest, backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                     providers:
                       file:
                         directory: dynamic
                     api: {}
                     """).start()) {
            for (String path : new String[] {"/api/rawdata", "/api/http/middlewares", "/api/http/middlewares/basic@file",
                    "/api/http/middlewares/digest@file"}) {
                String body = Http.get(gateway.url(path)).body();
                assertTrue(!body.contains(bcrypt) && !body.contains(digest), path + " shows a hash: " + body);
            }
            assertEquals("[\"alice:<redacted>\"]",
                    get(gateway.url("/api/http/middlewares/basic@file")).path("basicAuth").path("users").toString());
            assertEquals("[\"alice:traefik:<redacted>\"]",
                    get(gateway.url("/api/rawdata")).path("middlewares").path("digest@file").path("digestAuth")
                            .path("users").toString());
            String alice = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:secret".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(200, Http.get(gateway.url("/app"), "Authorization", alice).statusCode(),
                    "the middleware still checks the real hash");
        }
    }

    @Test
    void insecureServesTheApiOnItsOwnEntryPointOnly() throws Exception {
        int operations;
        try (ServerSocket probe = new ServerSocket(0)) {
            operations = probe.getLocalPort();
        }
        try (TestGateway gateway = Gateways.withDynamic(dir, "").staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                  gatehouse:
                    address: "127.0.0.1:%d"
                providers:
                  file:
                    directory: dynamic
                api:
                  insecure: true
                """.formatted(operations)).start()) {
            assertEquals(200, Http.status("http://127.0.0.1:" + operations + "/api/overview"));
            assertEquals(404, Http.status(gateway.url("/api/overview")), "no router to api@internal on web");
        }
    }

    @Test
    void withoutApiInTheStaticConfigurationThereIsNoApi() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, DYNAMIC).start()) {
            assertTrue(!gateway.routerEnabled("api@file"), "api@internal does not exist without api");
            assertEquals(404, Http.status(gateway.url("/api/overview")));
        }
    }
    /** Waits (at most 20 s) until {@code url} answers JSON for which {@code done} holds, and returns that answer. */
    private static JsonNode await(String url, java.util.function.Predicate<JsonNode> done) throws Exception {
        return Poll.untilValue("an answer of " + url + " that is done", java.time.Duration.ofSeconds(20), () -> get(url),
                done);
    }

    @Test
    void reportsEnabledWarningAndDisabledForEveryKindWithServerHealthMiddlewareUsageAndCertificates() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf leaf = ca.leaf("a", "ec", "a.test", "b.test");
        int deadPort = Gateways.freePort();
        String dead = "http://127.0.0.1:" + deadPort;
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                     http:
                       routers:
                         ok:
                           rule: PathPrefix(`/ok`)
                           service: healthy
                           middlewares: [outer]
                         partly:
                           rule: PathPrefix(`/partly`)
                           entryPoints: [web, nowhere]
                           service: healthy
                         broken:
                           rule: Host(`x`) &&
                           service: healthy
                         api:
                           rule: PathPrefix(`/api`)
                           service: api@internal
                       services:
                         healthy:
                           loadBalancer:
                             healthCheck: {path: /, interval: 1s, timeout: 1s}
                             servers:
                               - url: %1$s
                         mixed:
                           loadBalancer:
                             healthCheck: {path: /, interval: 1s, timeout: 1s}
                             servers:
                               - url: %1$s
                               - url: %2$s
                         bad:
                           loadBalancer:
                             servers:
                               - url: ftp://x
                       middlewares:
                         ep-tag:
                           headers:
                             customRequestHeaders:
                               X-Tag: ep
                         outer:
                           chain:
                             middlewares: [inner]
                         inner:
                           addPrefix:
                             prefix: /v1
                         unknown:
                           someType: {}
                     tls:
                       certificates:
                         - certFile: %3$s
                           keyFile: %4$s
                     """.formatted(backend.url(), dead, leaf.cert(), leaf.key())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                         http:
                           middlewares: [ep-tag]
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     api: {}
                     """).start()) {
            JsonNode routers = get(gateway.url("/api/http/routers"));
            assertEquals("enabled", named(routers, "ok@file").path("status").asText());
            JsonNode partly = named(routers, "partly@file");
            assertEquals("warning", partly.path("status").asText(), partly.toString());
            assertEquals("entry point 'nowhere' does not exist (known: web)", partly.path("error").get(0).asText());
            assertEquals(200, Http.status(gateway.url("/partly")), "a router in warning serves");
            assertEquals("disabled", named(routers, "broken@file").path("status").asText());
            assertEquals(1, get(gateway.url("/api/http/routers?status=warning")).size());

            JsonNode services = await(gateway.url("/api/http/services"),
                    list -> "DOWN".equals(named(list, "mixed@file").path("serverStatus").path(dead).asText()));
            JsonNode healthy = named(services, "healthy@file");
            assertEquals("enabled", healthy.path("status").asText(), healthy.toString());
            assertEquals("{\"" + backend.url() + "\":\"UP\"}", healthy.path("serverStatus").toString());
            JsonNode mixed = named(services, "mixed@file");
            assertEquals("warning", mixed.path("status").asText(), mixed.toString());
            assertEquals("{\"" + backend.url() + "\":\"UP\",\"" + dead + "\":\"DOWN\"}", mixed.path("serverStatus").toString());
            assertEquals("[\"server " + dead + " is down\"]", mixed.path("error").toString());
            JsonNode bad = named(services, "bad@file");
            assertEquals("disabled", bad.path("status").asText());
            assertTrue(bad.path("serverStatus").isMissingNode(), "a service that was not built has no servers");

            JsonNode middlewares = get(gateway.url("/api/http/middlewares"));
            assertEquals("[\"ok@file\"]", named(middlewares, "outer@file").path("usedBy").toString());
            assertEquals("[\"ok@file\"]", named(middlewares, "inner@file").path("usedBy").toString(),
                    "used through the chain");
            assertEquals("[\"api@file\",\"broken@file\",\"ok@file\",\"partly@file\"]",
                    named(middlewares, "ep-tag@file").path("usedBy").toString(), "used through the entry point");
            assertEquals("enabled", named(middlewares, "inner@file").path("status").asText());
            assertEquals("disabled", named(middlewares, "unknown@file").path("status").asText());

            JsonNode http = get(gateway.url("/api/overview")).path("http");
            assertEquals("{\"errors\":1,\"total\":4,\"warnings\":1}", sorted(http.path("routers")));
            assertEquals("{\"errors\":1,\"total\":6,\"warnings\":1}", sorted(http.path("services")),
                    "with api@internal, dashboard@internal and noop@internal");

            JsonNode certificates = get(gateway.url("/api/certificates"));
            assertEquals(1, certificates.size(), certificates.toString());
            JsonNode certificate = certificates.get(0);
            X509Certificate served = TestCertificates.handshake(gateway.port("web"), "a.test").peer();
            assertEquals("[\"a.test\",\"b.test\"]", certificate.path("domains").toString());
            assertEquals("Gatehouse Test CA", certificate.path("issuer").asText());
            assertEquals(served.getNotAfter().toInstant().toString(), certificate.path("notAfter").asText());
            assertEquals(served.getSerialNumber().toString(), certificate.path("serial").asText());
            assertEquals("static", certificate.path("source").asText());
        }
    }

    private static String sorted(JsonNode object) {
        return JSON.valueToTree(new java.util.TreeMap<>(JSON.convertValue(object, java.util.Map.class))).toString();
    }
}
