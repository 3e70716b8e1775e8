package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's files over HTTP: through a router to {@code dashboard@internal} (or {@code api@internal},
 * as in Traefik), or with {@code api.insecure}; content types, cache validation, no listing, no way out of
 * its folder. {@link DashboardBrowserTest} checks the page itself in a real browser.
 */
class DashboardTest {

    @TempDir
    Path dir;

    private static final String STATIC = """
            entryPoints:
              web:
                address: "127.0.0.1:0"
            providers:
              file:
                directory: dynamic
            api: {}
            """;

    private static final String ROUTERS = """
            http:
              routers:
                dashboard:
                  rule: PathPrefix(`/dashboard`)
                  service: dashboard@internal
                api:
                  rule: PathPrefix(`/api`)
                  service: api@internal
            """;

    @Test
    void servesTheFilesThroughARouterWithTypesAndValidation() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, ROUTERS).staticConfig(STATIC).start()) {
            HttpResponse<String> redirect = Http.get(gateway.url("/dashboard"));
            assertEquals(301, redirect.statusCode());
            assertEquals("/dashboard/", redirect.headers().firstValue("Location").orElse(""));

            HttpResponse<String> index = Http.get(gateway.url("/dashboard/"));
            assertEquals(200, index.statusCode());
            assertEquals("text/html; charset=utf-8", index.headers().firstValue("Content-Type").orElse(""));
            assertTrue(index.body().contains("<script type=\"module\" src=\"app.js\">"), index.body());
            assertEquals("no-cache", index.headers().firstValue("Cache-Control").orElse(""));
            assertEquals("nosniff", index.headers().firstValue("X-Content-Type-Options").orElse(""));
            assertTrue(index.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
            assertEquals(index.body(), Http.get(gateway.url("/dashboard/index.html")).body());

            HttpResponse<String> script = Http.get(gateway.url("/dashboard/app.js"));
            assertEquals(200, script.statusCode());
            assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("Content-Type").orElse(""));
            assertEquals("text/css; charset=utf-8",
                    Http.get(gateway.url("/dashboard/style.css")).headers().firstValue("Content-Type").orElse(""));
            assertEquals("image/svg+xml",
                    Http.get(gateway.url("/dashboard/favicon.svg")).headers().firstValue("Content-Type").orElse(""));

            String etag = script.headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> revalidated = Http.get(gateway.url("/dashboard/app.js"), "If-None-Match", etag);
            assertEquals(304, revalidated.statusCode());
            assertEquals("", revalidated.body());

            assertEquals(404, Http.status(gateway.url("/dashboard/missing.js")));
            assertEquals(404, Http.status(gateway.url("/dashboard/app.java")), "unknown extension");
            assertEquals(404, Http.status(gateway.url("/dashboard/sub/")), "no directory listing");
            int port = gateway.port("web");
            for (String path : new String[] {"/dashboard/../api/ApiHandler.class", "/dashboard/%2e%2e/api/ApiHandler.class",
                    "/dashboard/..%2fapi%2fApiHandler.class", "/dashboard/.%2e/GatewayApplication.class",
                    "/dashboard/%2fetc%2fpasswd", "/dashboard/..\\api\\ApiHandler.class"}) {
                RawHttp.Response response = RawHttp.exchange(port,
                        "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close");
                assertTrue(response.status() == 400 || response.status() == 404, path + " answered " + response.status());
            }
            assertEquals(405, RawHttp.exchange(port,
                    "POST /dashboard/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close").status());
            assertEquals(200, Http.status(gateway.url("/api/overview")), "the API the page reads, through its router");
        }
    }

    @Test
    void apiInternalServesTheDashboardTooAsInTraefik() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    api:
                      rule: PathPrefix(`/api`) || PathPrefix(`/dashboard`)
                      service: api@internal
                """).staticConfig(STATIC).start()) {
            assertEquals(200, Http.status(gateway.url("/dashboard/")));
            assertEquals(200, Http.status(gateway.url("/api/overview")));
        }
    }

    @Test
    void insecureServesItOnTheGatehouseEntryPointOnly() throws Exception {
        int operations = Gateways.freePort();
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
            assertEquals(301, Http.get("http://127.0.0.1:" + operations + "/dashboard").statusCode());
            assertEquals(200, Http.status("http://127.0.0.1:" + operations + "/dashboard/"));
            assertEquals(404, Http.status(gateway.url("/dashboard/")), "no router to dashboard@internal on web");
        }
    }

    @Test
    void dashboardFalseServesNoDashboard() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    api:
                      rule: PathPrefix(`/api`) || PathPrefix(`/dashboard`)
                      service: api@internal
                    dashboard:
                      rule: PathPrefix(`/other`)
                      service: dashboard@internal
                """).staticConfig(STATIC.replace("api: {}", "api:\n  dashboard: false")).start()) {
            assertEquals(200, Http.status(gateway.url("/api/overview")));
            assertEquals(404, Http.status(gateway.url("/dashboard/")));
            assertFalse(gateway.routerEnabled("dashboard@file"), "dashboard@internal does not exist");
        }
    }
}
