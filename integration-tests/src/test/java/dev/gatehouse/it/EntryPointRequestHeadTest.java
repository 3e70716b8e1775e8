package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an entry point does to a request's head before routing, as Traefik's options say:
 * {@code http.underscoreHeadersStrategy} (keep, delete, reject), {@code http.encodeQuerySemicolons}, and
 * {@code forwardedHeaders.notAppendXForwardedFor} with its default for every entry point,
 * {@code global.notAppendXForwardedFor}. Entry points: {@code plain} sets nothing but takes the global default,
 * {@code appending} overrides it, {@code deleting} and {@code rejecting} set the other options.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EntryPointRequestHeadTest {

    @TempDir
    static Path dir;

    private static TestBackend backend;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.echo("echo");
        gateway = Gateways.proxyingAllTo(dir, backend.url())
                .staticConfig("""
                        global:
                          notAppendXForwardedFor: true
                        entryPoints:
                          plain:
                            address: "127.0.0.1:0"
                            forwardedHeaders:
                              insecure: true
                          appending:
                            address: "127.0.0.1:0"
                            forwardedHeaders:
                              insecure: true
                              notAppendXForwardedFor: false
                          deleting:
                            address: "127.0.0.1:0"
                            http:
                              underscoreHeadersStrategy: delete
                              encodeQuerySemicolons: true
                          rejecting:
                            address: "127.0.0.1:0"
                            http:
                              underscoreHeadersStrategy: reject
                        providers:
                          providersThrottleDuration: 200ms
                          file:
                            directory: dynamic
                        """)
                .start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("app@file"), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static RawHttp.Response get(String entryPoint, String target, String... headerLines) throws IOException {
        StringBuilder head = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: app.test\r\nConnection: close");
        for (String line : headerLines) {
            head.append("\r\n").append(line);
        }
        return RawHttp.exchange(gateway.port(entryPoint), head.toString());
    }

    private static Echoed echoed(RawHttp.Response response) {
        assertEquals(200, response.status(), response.bodyText());
        return Echoed.parse(response.bodyText());
    }

    @Test
    void underscoreHeadersAreKeptDeletedOrRefused() throws Exception {
        Echoed kept = echoed(get("plain", "/h", "X_Auth_User: mallory", "X-Auth-User: alice"));
        assertEquals("mallory", kept.header("X_Auth_User"), "keep is the default");

        Echoed deleted = echoed(get("deleting", "/h", "X_Auth_User: mallory", "X-Auth-User: alice"));
        assertNull(deleted.header("X_Auth_User"), "delete removes the header before routing");
        assertEquals("alice", deleted.header("X-Auth-User"), "headers without underscores stay");

        assertEquals(400, get("rejecting", "/h", "X_Auth_User: mallory").status(), "reject answers 400");
        assertEquals(200, get("rejecting", "/h", "X-Auth-User: alice").status());
    }

    @Test
    void encodeQuerySemicolonsSendsThemOnEncoded() throws Exception {
        // Traefik's documented examples (entrypoints.md, encodeQuerySemicolons)
        assertEquals("/q?foo=bar%3Bbaz=bar", echoed(get("deleting", "/q?foo=bar;baz=bar")).uri());
        assertEquals("/q?foo=bar&baz=bar%3Bfoo", echoed(get("deleting", "/q?foo=bar&baz=bar;foo")).uri());
        assertEquals("/q?foo=bar&baz=bar", echoed(get("plain", "/q?foo=bar;baz=bar")).uri(),
                "by default a semicolon separates parameters");
    }

    @Test
    void notAppendXForwardedForLeavesTheHeaderAsTheClientSentIt() throws Exception {
        assertEquals(List.of("198.51.100.1"), echoed(get("plain", "/x", "X-Forwarded-For: 198.51.100.1"))
                .all("X-Forwarded-For"), "global.notAppendXForwardedFor: the trusted client's header, unchanged");
        assertEquals(List.of(), echoed(get("plain", "/x")).all("X-Forwarded-For"),
                "and none when the client sent none");
        assertEquals("198.51.100.1, 127.0.0.1", echoed(get("appending", "/x", "X-Forwarded-For: 198.51.100.1"))
                .header("X-Forwarded-For"), "the entry point's own setting wins over global");
    }
}
