package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tlsEngine}: each engine named explicitly serves the same TLS, with SNI certificate selection, ALPN, version
 * and cipher suite limits and client certificates. (The other TLS tests run with the default, {@code auto}.)
 */
class TlsEnginesTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "conscrypt"})
    void theEngineServesSniAlpnVersionsSuitesAndClientCertificates(String engine) throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf a = ca.leaf("a", "rsa", "a.test");
        TestCertificates.Leaf wildcard = ca.leaf("wild", "ec", "*.wild.test");
        TestCertificates.Leaf mtls = ca.leaf("mtls", "ec", "mtls.test");
        TestCertificates.Leaf client = ca.leaf("client", "ec", "client.test");
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                     http:
                       routers:
                         a:
                           rule: Host(`a.test`)
                           service: app
                           tls:
                             options: tls12
                         wild:
                           rule: HostRegexp(`.+\\.wild\\.test`)
                           service: app
                           tls: {}
                         mtls:
                           rule: Host(`mtls.test`)
                           service: app
                           tls:
                             options: mtls
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     tls:
                       options:
                         tls12:
                           maxVersion: VersionTLS12
                           cipherSuites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]
                         mtls:
                           clientAuth:
                             caFiles: [%s]
                             clientAuthType: RequireAndVerifyClientCert
                       certificates:
                         - {certFile: %s, keyFile: %s}
                         - {certFile: %s, keyFile: %s}
                         - {certFile: %s, keyFile: %s}
                     """.formatted(backend.url(), ca.caFile(), a.cert(), a.key(), wildcard.cert(), wildcard.key(),
                     mtls.cert(), mtls.key())).flag("--tlsEngine=" + engine).start()) {
            int port = gateway.port("web");
            assertTrue(gateway.application().runtime().problems().isEmpty(), gateway.application().runtime().problems().toString());
            assertFalse(gateway.logLines("TLS engine: " + (engine.equals("jdk") ? "JDK" : "Conscrypt")).isEmpty(),
                    "the start-up log names the engine");
            SSLContext trusting = ca.clientContext(null);
            String[] h2First = {"h2", "http/1.1"};

            TestCertificates.Handshake wild = TestCertificates.handshake(trusting, port, "x.wild.test", null, h2First,
                    null);
            assertEquals("CN=*.wild.test", wild.subject());
            assertEquals("TLSv1.3", wild.protocol());
            assertEquals("h2", wild.applicationProtocol());
            assertEquals("http/1.1", TestCertificates.handshake(trusting, port, "x.wild.test", null,
                    new String[] {"http/1.1"}, null).applicationProtocol());
            assertEquals("CN=GATEHOUSE DEFAULT CERT", TestCertificates.handshake(port, "unknown.test").subject());

            TestCertificates.Handshake limited = TestCertificates.handshake(trusting, port, "a.test", null, null,
                    "GET / HTTP/1.1\r\nHost: a.test");
            assertEquals("CN=a.test", limited.subject());
            assertEquals("TLSv1.2", limited.protocol(), "maxVersion");
            assertEquals("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", limited.cipherSuite(), "cipherSuites");
            assertTrue(limited.response().startsWith("HTTP/1.1 200"), limited.response());

            assertThrows(IOException.class, () -> {
                TestCertificates.Handshake refused = TestCertificates.handshake(trusting, port, "mtls.test", null, null,
                        "GET / HTTP/1.1\r\nHost: mtls.test");
                // TLS 1.3 clients learn of the refusal when they read
                if (refused.response().isEmpty()) {
                    throw new IOException("closed");
                }
            }, "no client certificate");
            assertTrue(TestCertificates.handshake(ca.clientContext(client), port, "mtls.test", null, null,
                    "GET / HTTP/1.1\r\nHost: mtls.test").response().startsWith("HTTP/1.1 200"));
        }
    }

    /**
     * A returning TLS 1.3 client resumes its session instead of paying a full handshake: what made Conscrypt's
     * handshakes per second worth having (it issues no session tickets unless asked). OpenSSL's own client, as
     * wrk and browsers resume the same way.
     */
    @ParameterizedTest
    @ValueSource(strings = {"jdk", "conscrypt"})
    void aReturningClientResumesItsTls13Session(String engine) throws Exception {
        TestCertificates.Leaf a = TestCertificates.ca(dir.resolve("certs")).leaf("a", "rsa", "a.test");
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                     http:
                       routers:
                         a:
                           rule: Host(`a.test`)
                           service: app
                           tls: {}
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     tls:
                       certificates:
                         - {certFile: %s, keyFile: %s}
                     """.formatted(backend.url(), a.cert(), a.key())).flag("--tlsEngine=" + engine).start()) {
            int port = gateway.port("web");
            Path session = dir.resolve("session.pem");
            String first = openSslClient(port, "a.test", "-tls1_3", "-sess_out", session.toString());
            assertTrue(first.contains("New, TLSv1.3") && first.contains("HTTP/1.1 200"), first);
            String second = openSslClient(port, "a.test", "-tls1_3", "-sess_in", session.toString());
            assertTrue(second.contains("Reused, TLSv1.3") && second.contains("HTTP/1.1 200"), second);
        }
    }

    /**
     * {@code disableSessionTickets} (Traefik v3.1+): the gateway sends no NewSessionTicket, in TLS 1.3 (OpenSSL's
     * client would print the ticket that arrives after the handshake) or TLS 1.2 (it would print the ticket in the
     * session), so a returning TLS 1.3 client has nothing to resume with.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"jdk,-tls1_3", "conscrypt,-tls1_3", "jdk,-tls1_2", "conscrypt,-tls1_2"})
    void disableSessionTicketsIssuesNoTicket(String engine, String protocol) throws Exception {
        TestCertificates.Leaf a = TestCertificates.ca(dir.resolve("certs")).leaf("a", "rsa", "a.test");
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                     http:
                       routers:
                         a:
                           rule: Host(`a.test`)
                           service: app
                           tls:
                             options: noTickets
                         b:
                           rule: Host(`b.test`)
                           service: app
                           tls: {}
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     tls:
                       options:
                         noTickets:
                           disableSessionTickets: true
                       certificates:
                         - {certFile: %s, keyFile: %s}
                     """.formatted(backend.url(), a.cert(), a.key())).flag("--tlsEngine=" + engine).start()) {
            int port = gateway.port("web");
            String ticketShown = protocol.equals("-tls1_3") ? "Post-Handshake New Session Ticket arrived"
                    : "TLS session ticket:";
            Path session = dir.resolve("session.pem");
            String first = openSslClient(port, "a.test", protocol, "-sess_out", session.toString());
            assertTrue(first.contains("HTTP/1.1 200"), first);
            assertFalse(first.contains(ticketShown), "no session ticket under disableSessionTickets: " + first);
            if (protocol.equals("-tls1_3")) {
                assertFalse(java.nio.file.Files.exists(session), "OpenSSL's client got no TLS 1.3 session to resume");
            }
            // the other options on the same entry point still issue tickets
            String other = openSslClient(port, "b.test", protocol);
            assertTrue(other.contains(ticketShown), "the default options issue tickets: " + other);
        }
    }

    /** One request through {@code openssl s_client}, which reads until the gateway closes (so it gets the ticket). */
    private static String openSslClient(int port, String host, String protocol, String... sessionOptions)
            throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("openssl", "s_client",
                "-connect", "127.0.0.1:" + port, "-servername", host, protocol, "-ign_eof"));
        command.addAll(java.util.List.of(sessionOptions));
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            client.getOutputStream().write(
                    ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().close();
            java.util.concurrent.CompletableFuture<byte[]> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return client.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return new String(output.get(30, java.util.concurrent.TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } finally {
            client.destroyForcibly();
        }
    }
}
