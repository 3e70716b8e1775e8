package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path and redirect middlewares of the bundled middlewares-std plugin, loaded by PF4J from the plugins
 * folder, through the real gateway to a real backend, declared in a file configuration and chained in order.
 */
class StdPathMiddlewaresTest {

    @TempDir
    Path dir;

    @Test
    void stripThenAddPrefixAndRegexRewritesReachTheBackend() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         strip:
                           rule: PathPrefix(`/api`)
                           middlewares: [strip-api, add-v2]
                           service: app
                         regex:
                           rule: PathPrefix(`/users`)
                           middlewares: [users]
                           service: app
                         moved:
                           rule: PathPrefix(`/old`)
                           middlewares: [to-new]
                           service: app
                         secure:
                           rule: PathPrefix(`/secure`)
                           middlewares: [to-https]
                           service: app
                       middlewares:
                         strip-api:
                           stripPrefix:
                             prefixes: [/api]
                         add-v2:
                           addPrefix:
                             prefix: /v2
                         users:
                           replacePathRegex:
                             regex: ^/users/([0-9]+)(.*)
                             replacement: /u/${1}x$2
                         to-new:
                           redirectRegex:
                             regex: ^http://([^/]+)/old/(.*)
                             replacement: http://${1}/new/$2
                             permanent: true
                         to-https:
                           redirectScheme:
                             scheme: https
                             port: "8443"
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url()))) {
            gateway.start();

            Echoed stripped = Echoed.parse(Http.get(gateway.url("/api/items?x=1")).body());
            assertEquals("/v2/items?x=1", stripped.uri());
            assertEquals("/api", stripped.header("X-Forwarded-Prefix"));

            Echoed emptied = Echoed.parse(Http.get(gateway.url("/api")).body());
            assertEquals("/v2", emptied.uri(), "stripPrefix leaves an empty path, addPrefix adds to it, as in Traefik");

            Echoed rewritten = Echoed.parse(Http.get(gateway.url("/users/42/profile")).body());
            assertEquals("/u/42x/profile", rewritten.uri());
            assertEquals("/users/42/profile", rewritten.header("X-Replaced-Path"));

            HttpResponse<String> moved = Http.get(gateway.url("/old/page?q=1"));
            assertEquals(301, moved.statusCode());
            assertTrue(moved.headers().firstValue("Location").orElseThrow().endsWith("/new/page?q=1"));

            HttpResponse<String> secure = Http.get(gateway.url("/secure/x"));
            assertEquals(302, secure.statusCode());
            assertEquals("https://127.0.0.1:8443/secure/x", secure.headers().firstValue("Location").orElseThrow()
                    .replace("localhost", "127.0.0.1"));
            assertEquals(0, backend.requests() - 3, "redirects never reach the backend");
        }
    }
}
