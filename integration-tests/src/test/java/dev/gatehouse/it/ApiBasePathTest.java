package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code api.basePath}: the API and the dashboard under a prefix, as Traefik serves them ({@code <base>/api/...},
 * {@code <base>/dashboard/}, the base itself redirecting to the dashboard), and the dashboard's own links
 * (its files and the API it reads) staying under the prefix.
 */
class ApiBasePathTest {

    @TempDir
    Path dir;

    private static final Pattern LINK = Pattern.compile("(?:src|href)=\"([^\"#][^\"]*)\"");
    /** How app.js names the API it reads, relative to the page. */
    private static final Pattern API_URL = Pattern.compile("new URL\\('([^']+)', document\\.baseURI\\)");

    @Test
    void throughARouterAsInTraefiksDocsEverythingIsUnderTheBasePath() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    dashboard:
                      rule: PathPrefix(`/traefik`)
                      service: api@internal
                    everything-else:
                      rule: PathPrefix(`/`)
                      service: api@internal
                """).staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  file:
                    directory: dynamic
                api:
                  basePath: /traefik
                """).start()) {
            HttpResponse<String> routers = Http.get(gateway.url("/traefik/api/http/routers"));
            assertEquals(200, routers.statusCode(), routers.body());
            assertTrue(routers.body().contains("\"name\":\"dashboard@file\""), routers.body());
            assertEquals(404, Http.status(gateway.url("/api/http/routers")), "the API is not at / any more");
            assertEquals(404, Http.status(gateway.url("/dashboard/")), "nor the dashboard");
            assertEquals(404, Http.status(gateway.url("/traefikx/api/overview")), "a longer segment is not the base");

            HttpResponse<String> base = Http.get(gateway.url("/traefik"));
            assertEquals(302, base.statusCode());
            assertEquals("/traefik/dashboard/", base.headers().firstValue("Location").orElse(""));
            HttpResponse<String> noSlash = Http.get(gateway.url("/traefik/dashboard"));
            assertEquals(301, noSlash.statusCode());
            assertEquals("/traefik/dashboard/", noSlash.headers().firstValue("Location").orElse(""));

            assertDashboardLinksResolveUnder(gateway.url("/traefik/dashboard/"), "/traefik/");
        }
    }

    @Test
    void withInsecureTheGatehouseEntryPointServesThemUnderTheBasePath() throws Exception {
        int operations = Gateways.freePort();
        try (TestGateway gateway = Gateways.withDynamic(dir, "").staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                  traefik:
                    address: "127.0.0.1:%d"
                providers:
                  file:
                    directory: dynamic
                api:
                  insecure: true
                  basePath: /ops/gateway/
                """.formatted(operations)).start()) {
            String root = "http://127.0.0.1:" + operations;
            assertEquals(200, Http.status(root + "/ops/gateway/api/overview"));
            assertEquals(404, Http.status(root + "/api/overview"));
            assertEquals(404, Http.status(root + "/dashboard/"));
            assertDashboardLinksResolveUnder(root + "/ops/gateway/dashboard/", "/ops/gateway/");
        }
    }

    /** Follows every link of the dashboard page, and the API URL its script reads, as a browser would. */
    private static void assertDashboardLinksResolveUnder(String page, String base) throws Exception {
        HttpResponse<String> index = Http.get(page);
        assertEquals(200, index.statusCode());
        List<URI> links = new ArrayList<>();
        Matcher link = LINK.matcher(index.body());
        while (link.find()) {
            links.add(URI.create(page).resolve(link.group(1)));
        }
        assertFalse(links.isEmpty(), index.body());
        for (URI target : links) {
            assertTrue(target.getPath().startsWith(base + "dashboard/"), target + " leaves the base path");
            HttpResponse<String> asset = Http.get(target.toString());
            assertEquals(200, asset.statusCode(), target.toString());
            if (target.getPath().endsWith(".js")) {
                Matcher api = API_URL.matcher(asset.body());
                assertTrue(api.find(), "the script names the API it reads");
                URI overview = URI.create(page).resolve(api.group(1)).resolve("overview");
                assertEquals(base + "api/overview", overview.getPath());
                assertEquals(200, Http.status(overview.toString()), overview.toString());
            }
        }
    }
}
