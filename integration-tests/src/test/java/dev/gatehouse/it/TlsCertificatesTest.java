package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.runtime.Status;
import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on entry points: routers with {@code tls} answer HTTPS (HTTP/1.1 and HTTP/2 by ALPN) on the same port where
 * routers without it answer plain HTTP; certificates from {@code tls.certificates} are chosen by SNI (exact name,
 * then wildcard), with the default certificate otherwise, and reloaded with the configuration.
 */
class TlsCertificatesTest {

    @TempDir
    Path dir;

    private static String certificates(TestCertificates.Leaf... leaves) {
        StringBuilder yaml = new StringBuilder("tls:\n  certificates:\n");
        for (TestCertificates.Leaf leaf : leaves) {
            yaml.append("    - certFile: ").append(leaf.cert()).append('\n');
            yaml.append("      keyFile: ").append(leaf.key()).append('\n');
        }
        return yaml.toString();
    }

    @Test
    void servesTlsRoutersOverHttpsWithHttp2AndHttp11AndPlainRoutersOverHttpOnOnePort() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf localhost = ca.leaf("localhost", "rsa", "localhost");
        try (TestBackend secure = TestBackend.echo("secure");
             TestBackend plain = TestBackend.echo("plain");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                     http:
                       routers:
                         secure:
                           rule: Host(`localhost`)
                           service: secure
                           tls: {}
                         plain:
                           rule: Host(`localhost`)
                           service: plain
                       services:
                         secure:
                           loadBalancer:
                             servers:
                               - url: %s
                         plain:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(secure.url(), plain.url()) + certificates(localhost)).start()) {
            int port = gateway.port("web");
            for (HttpClient.Version version : HttpClient.Version.values()) {
                HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext(null)).version(version)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + port + "/x")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals("secure", response.headers().firstValue("X-Backend").orElse(null),
                        "a TLS request is served by the router with tls");
                assertEquals(version, response.version(), "ALPN negotiates " + version);
                assertTrue(response.body().contains("header: X-Forwarded-Proto: https"), response.body());
            }
            HttpResponse<String> overHttp = Http.get("http://localhost:" + port + "/x");
            assertEquals("plain", overHttp.headers().firstValue("X-Backend").orElse(null),
                    "a plain request is served by the router without tls");
        }
    }

    @Test
    void choosesTheCertificateBySniExactThenWildcardElseTheDefaultAndReloadsThem() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf a = ca.leaf("a", "rsa", "a.test");
        TestCertificates.Leaf wildcard = ca.leaf("wild", "ec", "*.wild.test");
        TestCertificates.Leaf exact = ca.leaf("exact", "ec", "exact.wild.test");
        TestCertificates.Leaf fallback = ca.leaf("fallback", "rsa", "fallback.test");
        Path traditional = ca.traditionalKey(a, "rsa");
        String routes = """
                http:
                  routers:
                    app:
                      rule: HostRegexp(`.+`)
                      service: app
                      tls: {}
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """;
        try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), routes
                + certificates(new TestCertificates.Leaf(a.cert(), traditional), wildcard, exact)).start()) {
            int port = gateway.port("web");
            assertEquals("CN=a.test", TestCertificates.handshake(port, "a.test").subject(), "PKCS#1 RSA key");
            assertEquals("CN=a.test", TestCertificates.handshake(port, "A.Test").subject(), "names are case-insensitive");
            assertEquals("CN=*.wild.test", TestCertificates.handshake(port, "x.wild.test").subject());
            assertEquals("CN=exact.wild.test", TestCertificates.handshake(port, "exact.wild.test").subject(),
                    "an exact name wins over a wildcard");
            assertEquals("CN=GATEHOUSE DEFAULT CERT", TestCertificates.handshake(port, "a.b.wild.test").subject(),
                    "a wildcard covers one label only");
            assertEquals("CN=GATEHOUSE DEFAULT CERT", TestCertificates.handshake(port, "unknown.test").subject());
            assertEquals("CN=GATEHOUSE DEFAULT CERT", TestCertificates.handshake(port, null).subject(), "no SNI");

            // A trusting client completes the handshake and gets the chain for its name.
            TestCertificates.Handshake trusted = TestCertificates.handshake(ca.clientContext(null), port, "x.wild.test",
                    null, null, "GET / HTTP/1.1\r\nHost: x.wild.test");
            assertTrue(trusted.response().startsWith("HTTP/1.1 502"), "routed to the (unreachable) service: "
                    + trusted.response());

            // Reload: a new certificate for a.test, and a default certificate of the user's.
            TestCertificates.Leaf renewed = ca.leaf("a2", "ec", "a.test");
            String before = TestCertificates.handshake(port, "a.test").peer().getSerialNumber().toString();
            long generation = gateway.application().generation();
            gateway.writeDynamic("test.yml", routes + certificates(renewed, wildcard) + """
                      stores:
                        default:
                          defaultCertificate:
                            certFile: %s
                            keyFile: %s
                    """.formatted(fallback.cert(), fallback.key()));
            gateway.awaitReload(generation, () -> true, Duration.ofSeconds(30));
            String after = TestCertificates.handshake(port, "a.test").peer().getSerialNumber().toString();
            assertNotEquals(before, after, "the reloaded certificate is served");
            assertEquals("CN=a.test", TestCertificates.handshake(port, "a.test").subject());
            assertEquals("CN=fallback.test", TestCertificates.handshake(port, "unknown.test").subject(),
                    "tls.stores.default.defaultCertificate");
            assertEquals("CN=*.wild.test", TestCertificates.handshake(port, "exact.wild.test").subject(),
                    "a certificate removed from the configuration is no longer served");
        }
    }

    @Test
    void reportsACertificateThatCannotBeReadAndServesTheOthers() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf a = ca.leaf("a", "ec", "a.test");
        try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                http:
                  routers:
                    app:
                      rule: Host(`a.test`)
                      service: app
                      tls: {}
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                tls:
                  certificates:
                    - certFile: /nonexistent/cert.pem
                      keyFile: /nonexistent/key.pem
                    - certFile: %s
                      keyFile: %s
                """.formatted(a.cert(), a.key())).start()) {
            assertEquals("CN=a.test", TestCertificates.handshake(gateway.port("web"), "a.test").subject());
            assertTrue(gateway.application().runtime().problems().stream()
                    .anyMatch(p -> p.toString().contains("/nonexistent/cert.pem")), gateway.application().runtime().problems().toString());
            assertTrue(gateway.routerEnabled("app@file"));
        }
    }

    @Test
    void eachRouterOfAnUnconfiguredCertificateResolverServesInWarningWithItsOwnError() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
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
                    plain:
                      rule: Host(`c.test`)
                      service: app
                      tls: {}
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """).start()) {
            for (String router : List.of("a@file", "b@file")) {
                assertEquals(Status.WARNING, gateway.routerStatus(router), router);
                assertEquals(List.of(ProblemKind.TLS), gateway.problemKinds(ConfigElement.router(router)), router);
            }
            assertEquals(Status.ENABLED, gateway.routerStatus("plain@file"));
            assertTrue(gateway.model().problems().stream().allMatch(p -> p.subject().type() == ConfigElement.Type.ROUTER),
                    "no problem about the routers together: " + gateway.model().problems());
            // It serves, with the default certificate, as in Traefik.
            assertNotEquals("CN=a.test", TestCertificates.handshake(gateway.port("web"), "a.test").subject());
        }
    }
}
