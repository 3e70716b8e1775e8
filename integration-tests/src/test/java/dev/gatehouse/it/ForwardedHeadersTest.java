package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the backend receives: the client's Host (or its own with {@code passHostHeader: false}), the
 * {@code X-Forwarded-*} and {@code X-Real-Ip} headers set by the gateway, spoofed ones replaced unless the
 * client is trusted, and no hop-by-hop headers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardedHeadersTest {

    private static final String SPOOFED = """
            X-Forwarded-For: 1.2.3.4\r
            X-Real-Ip: 1.2.3.4\r
            X-Forwarded-Host: evil.example\r
            X-Forwarded-Proto: https\r
            X-Forwarded-Port: 1\r
            X-Forwarded-Server: evil\r
            Connection: close""";

    @TempDir
    Path dir;

    private TestBackend backend;
    private TestGateway gateway;

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
                    app:
                      rule: PathPrefix(`/`)
                      service: app
                    own-host:
                      rule: PathPrefix(`/own-host`)
                      service: own-host
                    with-identity:
                      rule: PathPrefix(`/with-identity`)
                      service: app
                      middlewares: [identity]
                    without-forwarded-for:
                      rule: PathPrefix(`/without-forwarded-for`)
                      service: app
                      middlewares: [drop-forwarded-for]
                  middlewares:
                    identity:
                      headers:
                        customRequestHeaders:
                          X-Auth-User: alice
                    drop-forwarded-for:
                      headers:
                        customRequestHeaders:
                          X-Forwarded-For: ""
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                    own-host:
                      loadBalancer:
                        passHostHeader: false
                        servers:
                          - url: %s
                """.formatted(backend.url(), backend.url()))
                .staticConfig("""
                        entryPoints:
                          web:
                            address: "127.0.0.1:0"
                        %s
                        providers:
                          providersThrottleDuration: 200ms
                          file:
                            directory: dynamic
                        """.formatted(forwardedHeaders.indent(4).stripTrailing()))
                .start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("app@file") && gateway.routerEnabled("own-host@file")
                && gateway.routerEnabled("with-identity@file") && gateway.routerEnabled("without-forwarded-for@file"),
                Duration.ofSeconds(10));
    }

    private Echoed send(String path, String host, String extraHeaders) throws Exception {
        RawHttp.Response response = RawHttp.exchange(gateway.port("web"),
                "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders);
        assertEquals(200, response.status(), response.bodyText());
        return Echoed.parse(response.bodyText());
    }

    @Test
    void passHostHeaderDefaultsToTheClientsHostAndFalseSendsTheServersOwn() throws Exception {
        startGateway("");
        Echoed passed = send("/x", "client.example:8443", "Connection: close");
        assertEquals("client.example:8443", passed.header("Host"));

        Echoed own = send("/own-host/x", "client.example:8443", "Connection: close");
        assertEquals("127.0.0.1:" + backend.port(), own.header("Host"));
        assertEquals("client.example:8443", own.header("X-Forwarded-Host"));
    }

    @Test
    void untrustedClientsForwardingHeadersAreReplaced() throws Exception {
        startGateway("");
        Echoed echoed = send("/x", "client.example:8443", SPOOFED);
        assertEquals("127.0.0.1", echoed.header("X-Forwarded-For"));
        assertEquals("127.0.0.1", echoed.header("X-Real-Ip"));
        assertEquals("http", echoed.header("X-Forwarded-Proto"));
        assertEquals("client.example:8443", echoed.header("X-Forwarded-Host"));
        assertEquals("8443", echoed.header("X-Forwarded-Port"));
        assertNotNull(echoed.header("X-Forwarded-Server"));
        assertNotEquals("evil", echoed.header("X-Forwarded-Server"));

        Echoed noPort = send("/x", "client.example", SPOOFED);
        assertEquals("80", noPort.header("X-Forwarded-Port"));
        assertEquals("client.example", noPort.header("X-Forwarded-Host"));
        assertEquals("127.0.0.1", noPort.header("X-Forwarded-For"));
    }

    @Test
    void trustedIpsKeepTheIncomingHeadersAndAppendTheClient() throws Exception {
        startGateway("""
                forwardedHeaders:
                  trustedIPs:
                    - 127.0.0.1""");
        assertKeptAndAppended(send("/x", "client.example:8443", SPOOFED));
    }

    @Test
    void insecureKeepsTheIncomingHeadersAndAppendsTheClient() throws Exception {
        startGateway("""
                forwardedHeaders:
                  insecure: true""");
        assertKeptAndAppended(send("/x", "client.example:8443", SPOOFED));
    }

    @Test
    void trustedIpsNotCoveringTheClientStillReplace() throws Exception {
        startGateway("""
                forwardedHeaders:
                  trustedIPs:
                    - 10.0.0.0/8""");
        Echoed echoed = send("/x", "client.example:8443", SPOOFED);
        assertEquals("127.0.0.1", echoed.header("X-Forwarded-For"));
        assertEquals("http", echoed.header("X-Forwarded-Proto"));
        assertEquals("client.example:8443", echoed.header("X-Forwarded-Host"));
    }

    /**
     * Traefik's headers middleware sets an empty X-Forwarded-For to nil, and Go's reverse proxy then adds none: the
     * backend gets no X-Forwarded-For, neither the trusted client's nor the gateway's.
     */
    @Test
    void anEmptyCustomForwardedForHeaderSendsNoneAtAll() throws Exception {
        startGateway("""
                forwardedHeaders:
                  trustedIPs:
                    - 127.0.0.1""");
        Echoed dropped = send("/without-forwarded-for/x", "client.example", SPOOFED);
        assertNull(dropped.header("X-Forwarded-For"));
        assertEquals("https", dropped.header("X-Forwarded-Proto"), "the other forwarding headers are untouched");

        assertEquals("1.2.3.4, 127.0.0.1", send("/x", "client.example", SPOOFED).header("X-Forwarded-For"),
                "routers without the middleware still get it");
    }

    private static void assertKeptAndAppended(Echoed echoed) {
        assertEquals("1.2.3.4, 127.0.0.1", echoed.header("X-Forwarded-For"));
        assertEquals("https", echoed.header("X-Forwarded-Proto"));
        assertEquals("evil.example", echoed.header("X-Forwarded-Host"));
        assertEquals("1.2.3.4", echoed.header("X-Real-Ip"));
        assertEquals("client.example:8443", echoed.header("Host"));
    }

    @Test
    void hopByHopHeadersAreNotForwarded() throws Exception {
        startGateway("");
        Echoed echoed = send("/x", "client.example", """
                Connection: close, X-Custom\r
                X-Custom: secret\r
                Keep-Alive: timeout=5\r
                TE: deflate\r
                X-Other: kept""");
        assertNull(echoed.header("X-Custom"), echoed.headers().toString());
        assertNull(echoed.header("Keep-Alive"));
        assertNull(echoed.header("TE"));
        List<String> connection = echoed.all("Connection");
        assertFalse(connection.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("x-custom")
                || v.toLowerCase(Locale.ROOT).contains("close")), "Connection forwarded: " + connection);
        assertEquals("kept", echoed.header("X-Other"));
        assertTrue(backend.requests() == 1);
    }

    @Test
    void aClientCannotStripAHeaderAMiddlewareSetByListingItInConnection() throws Exception {
        // Traefik drops the headers a client lists in Connection at the entry point, before the middlewares: the
        // client's own X-Auth-User goes, the one the middleware sets reaches the server.
        startGateway("");
        Echoed echoed = send("/with-identity", "client.example", """
                Connection: close, X-Auth-User, X-Custom\r
                X-Auth-User: mallory\r
                X-Custom: secret""");
        assertEquals(List.of("alice"), echoed.all("X-Auth-User"), "X-Auth-User as the server got it");
        assertNull(echoed.header("X-Custom"), echoed.headers().toString());
    }
}
