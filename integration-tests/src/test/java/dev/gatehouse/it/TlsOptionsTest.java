package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.runtime.Status;
import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls.options}: routers pick option sets by name, and a connection gets the options of the routers whose
 * hosts its SNI names (the {@code default} ones otherwise): minimum version, SNI strictness, client certificates.
 */
class TlsOptionsTest {

    @TempDir
    Path dir;

    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: %s";

    @Test
    void routersPickOptionsBySniMinVersionSniStrictAndClientCertificates() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf modern = ca.leaf("modern", "ec", "modern.test");
        TestCertificates.Leaf legacy = ca.leaf("legacy", "rsa", "legacy.test");
        TestCertificates.Leaf mtls = ca.leaf("mtls", "ec", "mtls.test");
        TestCertificates.Leaf optional = ca.leaf("optional", "ec", "optional.test");
        TestCertificates.Leaf client = ca.leaf("client", "ec", "client.test");
        TestCertificates other = TestCertificates.ca(dir.resolve("other"));
        TestCertificates.Leaf stranger = other.leaf("stranger", "ec", "stranger.test");
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                     http:
                       routers:
                         modern:
                           rule: Host(`modern.test`)
                           service: app
                           tls:
                             options: modern
                         legacy:
                           rule: Host(`legacy.test`)
                           service: app
                           tls: {}
                         mtls:
                           rule: Host(`mtls.test`)
                           service: app
                           tls:
                             options: mtls
                         optional:
                           rule: Host(`optional.test`)
                           service: app
                           tls:
                             options: optional
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     tls:
                       options:
                         default:
                           sniStrict: true
                         modern:
                           minVersion: VersionTLS13
                         mtls:
                           clientAuth:
                             caFiles: [%s]
                             clientAuthType: RequireAndVerifyClientCert
                         optional:
                           clientAuth:
                             caFiles: [%s]
                             clientAuthType: VerifyClientCertIfGiven
                       certificates:
                         - {certFile: %s, keyFile: %s}
                         - {certFile: %s, keyFile: %s}
                         - {certFile: %s, keyFile: %s}
                         - {certFile: %s, keyFile: %s}
                     """.formatted(backend.url(), ca.caFile(), ca.caFile(), modern.cert(), modern.key(), legacy.cert(),
                     legacy.key(), mtls.cert(), mtls.key(), optional.cert(), optional.key())).start()) {
            int port = gateway.port("web");
            assertTrue(gateway.application().runtime().problems().isEmpty(), gateway.application().runtime().problems().toString());
            SSLContext trusting = ca.clientContext(null);
            String[] tls12 = {"TLSv1.2"};

            // minVersion: TLS 1.3 for modern.test only; the default options keep TLS 1.2.
            assertEquals("TLSv1.3", TestCertificates.handshake(trusting, port, "modern.test", null, null, null).protocol());
            refused(() -> TestCertificates.handshake(trusting, port, "modern.test", tls12, null, null), "TLS 1.2 to modern.test");
            assertEquals("TLSv1.2", TestCertificates.handshake(trusting, port, "legacy.test", tls12, null, null).protocol());

            // sniStrict on the default options: no SNI or an unknown name gets no certificate.
            refused(() -> TestCertificates.handshake(TestCertificates.trustingAll(), port, null, null, null, null), "no SNI");
            refused(() -> TestCertificates.handshake(TestCertificates.trustingAll(), port, "unknown.test", null, null, null),
                    "unknown SNI");
            assertTrue(TestCertificates.handshake(trusting, port, "legacy.test", null, null, REQUEST.formatted("legacy.test"))
                    .response().startsWith("HTTP/1.1 200"));

            // RequireAndVerifyClientCert: no certificate, or one from another CA, is refused; the CA's is served.
            refused(() -> TestCertificates.handshake(trusting, port, "mtls.test", null, null, REQUEST.formatted("mtls.test")),
                    "mtls.test without a client certificate");
            SSLContext withStranger = other.clientContextTrusting(ca, stranger);
            refused(() -> TestCertificates.handshake(withStranger, port, "mtls.test", null, null, REQUEST.formatted("mtls.test")),
                    "mtls.test with a certificate of another CA");
            SSLContext withClient = ca.clientContext(client);
            assertTrue(TestCertificates.handshake(withClient, port, "mtls.test", null, null, REQUEST.formatted("mtls.test"))
                    .response().startsWith("HTTP/1.1 200"));

            // VerifyClientCertIfGiven: no certificate is fine.
            assertTrue(TestCertificates.handshake(trusting, port, "optional.test", null, null,
                    REQUEST.formatted("optional.test")).response().startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void unknownOptionsDisableTheRouterAndInvalidOptionsAreReported() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                http:
                  routers:
                    app:
                      rule: Host(`a.test`)
                      service: app
                      tls:
                        options: missing
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                tls:
                  options:
                    broken:
                      minVersion: VersionTLS99
                      cipherSuites: [TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305]
                """).start()) {
            assertEquals(Status.DISABLED, gateway.routerStatus("app@file"));
            assertEquals(List.of(ProblemKind.TLS), gateway.problemKinds(ConfigElement.router("app@file")),
                    "its TLS options do not exist");
            // Which key of the options is wrong is what the user must read.
            String problems = gateway.configurationProblems().toString();
            assertTrue(problems.contains("minVersion: 'VersionTLS99'"), problems);
        }
    }

    private interface Attempt {
        TestCertificates.Handshake run() throws Exception;
    }

    /** The handshake fails, or the server closes the connection without answering (TLS 1.3 client auth). */
    private static void refused(Attempt attempt, String what) throws Exception {
        try {
            TestCertificates.Handshake handshake = attempt.run();
            if (handshake.response() != null && handshake.response().isEmpty()) {
                return;
            }
            fail(what + " should be refused, got " + handshake);
        } catch (IOException expected) {
            // refused
        }
    }
}
