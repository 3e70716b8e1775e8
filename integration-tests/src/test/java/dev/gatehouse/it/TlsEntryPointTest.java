package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code entryPoints.<ep>.http.tls} makes the routers of that entry point serve HTTPS, and the usual http to https
 * redirect ({@code http.redirections.entryPoint}) leads a client there; ALPN offers what the options allow.
 */
class TlsEntryPointTest {

    @TempDir
    Path dir;

    @Test
    void redirectsToTheTlsEntryPointWhoseRoutersServeHttpsWithTheOptionsAlpn() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf localhost = ca.leaf("localhost", "ec", "localhost");
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                     http:
                       routers:
                         app:
                           rule: Host(`localhost`)
                           service: app
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     tls:
                       options:
                         h1only:
                           alpnProtocols: [http/1.1]
                       certificates:
                         - {certFile: %s, keyFile: %s}
                     """.formatted(backend.url(), localhost.cert(), localhost.key())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                         http:
                           redirections:
                             entryPoint:
                               to: websecure
                       websecure:
                         address: "127.0.0.1:0"
                         http:
                           tls:
                             options: h1only@file
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     """).start()) {
            HttpResponse<String> redirect = Http.get("http://localhost:" + gateway.port("web") + "/x?y=1");
            assertEquals(301, redirect.statusCode());
            String location = redirect.headers().firstValue("Location").orElseThrow();
            assertEquals("https://localhost:" + gateway.port("websecure") + "/x?y=1", location);

            HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext(null))
                    .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> secure = client.send(HttpRequest.newBuilder(URI.create(location))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, secure.statusCode());
            assertEquals("app", secure.headers().firstValue("X-Backend").orElse(null));
            assertEquals(HttpClient.Version.HTTP_1_1, secure.version(), "the options offer http/1.1 only");

            assertEquals(404, Http.get("http://localhost:" + gateway.port("websecure") + "/x").statusCode(),
                    "the router is TLS-only on websecure");
        }
    }
}
