package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code entryPoints.<ep>.http.redirections.entryPoint}: every request on the entry point is sent to the same
 * host and path on the target, with Traefik's status codes; other entry points route as usual.
 */
class EntryPointRedirectionTest {

    @TempDir
    Path dir;

    private static final String ROUTES = """
            http:
              routers:
                app:
                  rule: Host(`app.local`)
                  service: app
              services:
                app:
                  loadBalancer:
                    servers:
                      - url: %s
            """;

    private static String first(RawHttp.Response response, String header) {
        return response.all(header).isEmpty() ? null : response.all(header).get(0);
    }

    @Test
    void redirectsEveryRequestToTheTargetEntryPointKeepingHostPathAndQuery() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir, ROUTES.formatted(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                         http:
                           redirections:
                             entryPoint:
                               to: websecure
                       websecure:
                         address: "127.0.0.1:0"
                       old:
                         address: "127.0.0.1:0"
                         http:
                           redirections:
                             entryPoint: {to: ":443", scheme: https, permanent: false}
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     """).start()) {
            int web = gateway.port("web");
            int websecure = gateway.port("websecure");

            RawHttp.Response get = RawHttp.exchange(web, "GET /a/b?x=1 HTTP/1.1\r\nHost: app.local\r\nConnection: close");
            assertEquals(301, get.status());
            assertEquals("https://app.local:" + websecure + "/a/b?x=1", first(get, "Location"));
            assertEquals(0, backend.requests(), "a redirected request never reaches the service");

            RawHttp.Response post = RawHttp.exchange(web,
                    "POST /form HTTP/1.1\r\nHost: app.local\r\nContent-Length: 0\r\nConnection: close");
            assertEquals(308, post.status(), "a permanent redirect keeps the method: 308 for POST");

            RawHttp.Response unknownHost = RawHttp.exchange(web, "GET / HTTP/1.1\r\nHost: other.local\r\nConnection: close");
            assertEquals(301, unknownHost.status(), "every request on the entry point is redirected, matched or not");

            RawHttp.Response temporary = RawHttp.exchange(gateway.port("old"),
                    "GET /x HTTP/1.1\r\nHost: app.local\r\nConnection: close");
            assertEquals(302, temporary.status());
            assertEquals("https://app.local/x", first(temporary, "Location"), "the default port of the scheme is left out");
            RawHttp.Response temporaryPost = RawHttp.exchange(gateway.port("old"),
                    "PUT /x HTTP/1.1\r\nHost: app.local\r\nContent-Length: 0\r\nConnection: close");
            assertEquals(307, temporaryPost.status());

            RawHttp.Response routed = RawHttp.exchange(websecure, "GET / HTTP/1.1\r\nHost: app.local\r\nConnection: close");
            assertEquals(200, routed.status());
            assertTrue(routed.bodyText().contains("backend=app"), routed.bodyText());
        }
    }

    @Test
    void anUnknownTargetIsAStaticConfigurationError() throws Exception {
        TestGateway gateway = Gateways.withDynamic(dir, "").staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                    http:
                      redirections:
                        entryPoint:
                          to: websecur
                """);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, gateway::start);
        assertTrue(e.getMessage().contains("entryPoints.web.http.redirections.entryPoint.to: entry point 'websecur' does not exist"),
                e.getMessage());
    }
}
