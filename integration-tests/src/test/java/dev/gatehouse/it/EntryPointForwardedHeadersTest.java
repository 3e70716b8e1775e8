package dev.gatehouse.it;

import dev.gatehouse.testkit.TestGateway;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entry point settles the {@code X-Forwarded-*} headers before routing, as Traefik's does: a middleware never
 * sees what an untrusted client made up, and a {@code headers} middleware can remove a forwarding header before the
 * request reaches the server. What a middleware sees is told by a plugin middleware ({@code seenHeader}) that copies
 * a request header into the response.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EntryPointForwardedHeadersTest {

    private static final String SPOOFED = """
            X-Forwarded-For: 1.2.3.4\r
            X-Real-Ip: 1.2.3.4\r
            X-Forwarded-Proto: https\r
            Connection: close""";

    /** The plugin is compiled once for the class: compiling takes longer than a test. */
    @TempDir
    static Path built;
    private static Path seenHeaderJar;

    @TempDir
    Path dir;

    private TestBackend backend;
    private TestGateway gateway;

    @BeforeAll
    static void buildPlugin() throws Exception {
        seenHeaderJar = built.resolve("seen-header-1.0.0.jar");
        TestPlugins.seenHeaderPlugin("seen-header").writeTo(seenHeaderJar);
    }

    @BeforeEach
    void backend() throws Exception {
        backend = TestBackend.echo("echo");
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
    }

    private void startGateway(String forwardedHeaders) throws Exception {
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    seen-for:
                      rule: PathPrefix(`/seen-for`)
                      service: app
                      middlewares: [seen-for]
                    seen-proto:
                      rule: PathPrefix(`/seen-proto`)
                      service: app
                      middlewares: [seen-proto]
                    seen-real-ip:
                      rule: PathPrefix(`/seen-real-ip`)
                      service: app
                      middlewares: [seen-real-ip]
                    without-proto:
                      rule: PathPrefix(`/without-proto`)
                      service: app
                      middlewares: [drop-proto]
                    without-forwarded-for:
                      rule: PathPrefix(`/without-forwarded-for`)
                      service: app
                      middlewares: [drop-forwarded-for]
                  middlewares:
                    seen-for:
                      seenHeader: {name: X-Forwarded-For}
                    seen-proto:
                      seenHeader: {name: X-Forwarded-Proto}
                    seen-real-ip:
                      seenHeader: {name: X-Real-Ip}
                    drop-proto:
                      headers:
                        customRequestHeaders:
                          X-Forwarded-Proto: ""
                    drop-forwarded-for:
                      headers:
                        customRequestHeaders:
                          X-Forwarded-For: ""
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(backend.url()))
                .staticConfig("""
                        entryPoints:
                          web:
                            address: "127.0.0.1:0"
                        %s
                        providers:
                          providersThrottleDuration: 200ms
                          file:
                            directory: dynamic
                        """.formatted(forwardedHeaders.indent(4).stripTrailing()));
        Files.copy(seenHeaderJar, gateway.pluginsDir().resolve(seenHeaderJar.getFileName()));
        gateway.start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("seen-for@file") && gateway.routerEnabled("seen-proto@file")
                && gateway.routerEnabled("seen-real-ip@file") && gateway.routerEnabled("without-proto@file")
                && gateway.routerEnabled("without-forwarded-for@file"), Duration.ofSeconds(10));
    }

    private RawHttp.Response send(String path, String extraHeaders) throws Exception {
        RawHttp.Response response = RawHttp.exchange(gateway.port("web"),
                "GET " + path + " HTTP/1.1\r\nHost: client.example\r\n" + extraHeaders);
        assertEquals(200, response.status(), response.bodyText());
        return response;
    }

    /** The value the {@code seenHeader} middleware saw, or null when it saw none. */
    private static String seen(RawHttp.Response response) {
        List<String> seen = response.all("X-Seen");
        return seen.isEmpty() ? null : seen.get(0);
    }

    @Test
    void aMiddlewareNeverSeesTheForwardingHeadersOfAnUntrustedClient() throws Exception {
        startGateway("");
        assertNull(seen(send("/seen-for", SPOOFED)), "the spoofed X-Forwarded-For is gone before the middlewares");
        assertEquals("http", seen(send("/seen-proto", SPOOFED)), "the entry point's own scheme, not the spoofed one");
        assertEquals("127.0.0.1", seen(send("/seen-real-ip", SPOOFED)));

        Echoed echoed = Echoed.parse(send("/seen-for", SPOOFED).bodyText());
        assertEquals("127.0.0.1", echoed.header("X-Forwarded-For"), "the proxy appends the client's address");
    }

    @Test
    void aTrustedClientsForwardingHeadersReachTheMiddlewares() throws Exception {
        startGateway("""
                forwardedHeaders:
                  trustedIPs:
                    - 127.0.0.1""");
        assertEquals("1.2.3.4", seen(send("/seen-for", SPOOFED)));
        assertEquals("https", seen(send("/seen-proto", SPOOFED)));
        assertEquals("1.2.3.4", seen(send("/seen-real-ip", SPOOFED)));
    }

    @Test
    void aHeadersMiddlewareRemovesForwardingHeadersBeforeTheServer() throws Exception {
        startGateway("");
        Echoed withoutProto = Echoed.parse(send("/without-proto", SPOOFED).bodyText());
        assertNull(withoutProto.header("X-Forwarded-Proto"), "removed by the middleware, not added again by the proxy");
        assertEquals("client.example", withoutProto.header("X-Forwarded-Host"), "the others are left");

        Echoed withoutFor = Echoed.parse(send("/without-forwarded-for", SPOOFED).bodyText());
        assertNull(withoutFor.header("X-Forwarded-For"), withoutFor.headers().toString());
        assertEquals("http", withoutFor.header("X-Forwarded-Proto"));
    }
}
