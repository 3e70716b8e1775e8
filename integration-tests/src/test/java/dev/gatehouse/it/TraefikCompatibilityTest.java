package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traefik v3 configurations that use names and options it still accepts from v2 or deprecated, and its per-router
 * observability switches and internal services: they load unchanged and behave as in Traefik.
 */
class TraefikCompatibilityTest {

    @TempDir
    Path dir;

    @Test
    void ipWhiteListAndDeprecatedHeadersOptionsWorkAndAreLoggedAsDeprecated() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         inside:
                           rule: PathPrefix(`/inside`)
                           middlewares: [loopback]
                           service: app
                         outside:
                           rule: PathPrefix(`/outside`)
                           middlewares: [tens]
                           service: app
                         secure:
                           rule: PathPrefix(`/secure`)
                           middlewares: [old-headers]
                           service: app
                       middlewares:
                         loopback:
                           ipWhiteList:
                             sourceRange: [127.0.0.1/32, "::1"]
                         tens:   # as Docker labels give it: traefik.http.middlewares.tens.ipwhitelist.sourcerange=10.0.0.0/8
                           ipwhitelist:
                             sourcerange: "10.0.0.0/8"
                         old-headers:
                           headers:
                             sslRedirect: true
                             sslTemporaryRedirect: true
                             sslHost: secure.example
                             sslForceHost: true
                             featurePolicy: "camera 'none'"
                             frameDeny: true
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url())).start()) {
            assertEquals(200, Http.get(gateway.url("/inside")).statusCode());
            assertEquals(403, Http.get(gateway.url("/outside")).statusCode());
            var secure = Http.get(gateway.url("/secure"));
            assertEquals(200, secure.statusCode(), "sslRedirect has no effect in Traefik v3");
            assertEquals("DENY", secure.headers().firstValue("X-Frame-Options").orElse(null));
            assertEquals(1, gateway.logLines("WARN", "middleware loopback@file", "'ipWhiteList' is deprecated").size(),
                    gateway.logs());
            assertEquals(1, gateway.logLines("WARN", "middleware old-headers@file", "'sslRedirect' is deprecated").size(),
                    gateway.logs());
        }
    }

    @Test
    void routerObservabilityAndInternalServicesWithManualRouting() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         app:
                           rule: PathPrefix(`/app`)
                           service: app
                         quiet:
                           rule: PathPrefix(`/quiet`)
                           service: app
                           observability:
                             accessLogs: false
                             metrics: false
                             tracing: false
                         metrics:
                           rule: Path(`/metrics`)
                           service: prometheus@internal
                         ping:
                           rule: Path(`/ping`)
                           service: ping@internal
                         teapot:
                           rule: Path(`/teapot`)
                           service: noop@internal
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                     ping:
                       manualRouting: true
                     metrics:
                       prometheus:
                         manualRouting: true
                         addRoutersLabels: true
                     accessLog:
                       filePath: logs/access.log
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     """).start()) {
            assertEquals(200, Http.get(gateway.url("/quiet")).statusCode());
            assertEquals(200, Http.get(gateway.url("/quiet")).statusCode());
            assertEquals(200, Http.get(gateway.url("/app")).statusCode());
            var ping = Http.get(gateway.url("/ping"));
            assertEquals(200, ping.statusCode());
            assertEquals("OK", ping.body());
            assertEquals(418, Http.get(gateway.url("/teapot")).statusCode(), "noop@internal answers 418 as Traefik's");

            // The log is written in request order: once the /app line is there, a /quiet line would be before it.
            List<String> lines = awaitLine(dir.resolve("logs/access.log"), "GET /app ");
            assertFalse(lines.stream().anyMatch(line -> line.contains("/quiet")), String.join("\n", lines));

            String scrape = Http.get(gateway.url("/metrics")).body();
            assertTrue(scrape.contains("router=\"app@file\""), scrape);
            assertFalse(scrape.contains("quiet@file"), "observability.metrics: false counts nothing: " + scrape);
        }
    }

    @Test
    void entryPointObservabilityIsTheDefaultOfItsRouters() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         inherits:
                           rule: PathPrefix(`/inherits`)
                           service: app
                         loud:
                           rule: PathPrefix(`/loud`)
                           service: app
                           observability:
                             accessLogs: true
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                         observability:
                           accessLogs: false
                           tracing: false
                           traceVerbosity: detailed
                     accessLog:
                       filePath: logs/access.log
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     """).start()) {
            assertEquals(200, Http.get(gateway.url("/inherits")).statusCode());
            assertEquals(404, Http.get(gateway.url("/nothing")).statusCode());
            assertEquals(200, Http.get(gateway.url("/loud")).statusCode());
            List<String> lines = awaitLine(dir.resolve("logs/access.log"), "GET /loud ");
            assertEquals(1, lines.size(), "the entry point's accessLogs: false holds for its other requests: " + lines);
        }
    }

    @Test
    void ruleSyntaxV2ReadsTraefikV2Rules() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         hosts:
                           rule: Host(`a.example`, `b.example`) && Path(`/hosts`)
                           ruleSyntax: v2
                           service: app
                         sub:
                           rule: HostRegexp(`{sub:[a-z]+}.example.org`)
                           ruleSyntax: v2
                           service: app
                         versioned:
                           rule: PathPrefix(`/api/{version:v[0-9]+}/`)
                           ruleSyntax: v2
                           service: app
                         headers:
                           rule: Path(`/env`) && Headers(`X-Env`, `prod`) && Query(`page={n:[0-9]+}`)
                           ruleSyntax: v2
                           service: app
                         v3-only-matcher:
                           rule: PathRegexp(`^/x`)
                           ruleSyntax: v2
                           service: app
                         unknown-syntax:
                           rule: Path(`/y`)
                           ruleSyntax: v4
                           service: app
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url())).start()) {
            int port = gateway.port("web");
            assertEquals("200", status(port, "b.example", "/hosts", ""));
            assertEquals("404", status(port, "c.example", "/hosts", ""));
            assertEquals("200", status(port, "www.example.org", "/", ""));
            assertEquals("404", status(port, "w1.example.org", "/", ""), "{sub:[a-z]+} is the whole label");
            assertEquals("404", status(port, "a.b.example.org", "/", ""));
            assertEquals("200", status(port, "any.test", "/api/v2/items", ""));
            assertEquals("404", status(port, "any.test", "/api/beta/items", ""));
            assertEquals("200", status(port, "any.test", "/env?page=3", "X-Env: prod\r\n"));
            assertEquals("404", status(port, "any.test", "/env?page=x", "X-Env: prod\r\n"));
            assertEquals("404", status(port, "any.test", "/env?page=3", "X-Env: dev\r\n"));
            assertFalse(gateway.routerEnabled("v3-only-matcher@file"));
            assertEquals(1, gateway.logLines("v3-only-matcher@file", "unknown matcher 'PathRegexp' in the v2 rule syntax")
                    .size(), gateway.logs());
            assertFalse(gateway.routerEnabled("unknown-syntax@file"));
            assertEquals(1, gateway.logLines("unknown-syntax@file", "ruleSyntax 'v4' is unknown").size(), gateway.logs());
        }
    }

    @Test
    void coreDefaultRuleSyntaxV2ReadsRulesOfRoutersThatSetNone() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         hosts:
                           rule: Host(`a.example`, `b.example`) && Path(`/hosts`)
                           service: app
                         v3-router:
                           rule: PathRegexp(`^/x`)
                           ruleSyntax: v3
                           service: app
                         v3-rule-read-as-v2:
                           rule: PathRegexp(`^/y`)
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
                     core:
                       defaultRuleSyntax: v2
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     """).start()) {
            gateway.awaitReload(0, () -> gateway.routerEnabled("hosts@file"), Duration.ofSeconds(10));
            int port = gateway.port("web");
            assertEquals("200", status(port, "b.example", "/hosts", ""), "a v2 rule without ruleSyntax");
            assertEquals("200", status(port, "any.test", "/x1", ""), "ruleSyntax: v3 still reads v3");
            assertFalse(gateway.routerEnabled("v3-rule-read-as-v2@file"), "PathRegexp is not a v2 matcher");
            assertEquals(1, gateway.logLines("core.defaultRuleSyntax is deprecated").size(), gateway.logs());
        }
    }

    @Test
    void anUnknownCoreDefaultRuleSyntaxIsAStaticConfigurationError() throws Exception {
        TestGateway gateway = Gateways.withDynamic(dir, "http: {}\n").staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                core:
                  defaultRuleSyntax: v4
                """);
        Exception failure = assertThrows(Exception.class, gateway::start);
        assertTrue(String.valueOf(failure.getMessage()).contains("unsupported default rule syntax 'v4' (expected v3 or v2)"),
                String.valueOf(failure.getMessage()));
        gateway.close();
    }

    private static List<String> awaitLine(Path file, String part) throws Exception {
        return Poll.untilValue("a line with '" + part + "' in " + file, Duration.ofSeconds(10),
                () -> Files.exists(file) ? Files.readAllLines(file) : List.<String>of(),
                lines -> lines.stream().anyMatch(line -> line.contains(part)));
    }

    /** The status of a request with a Host header of our choosing (the JDK client refuses to set one). */
    private static String status(int port, String host, String target, String headerLines) throws Exception {
        String head = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + headerLines + "Connection: close\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8).substring(9, 12);
        }
    }
}
