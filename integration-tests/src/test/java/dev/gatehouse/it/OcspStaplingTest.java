package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The static {@code ocsp} section (Traefik v3.4+): certificates naming an OCSP responder get its response stapled to
 * their handshakes, fetched in the background from a real responder (OpenSSL's), as {@code openssl s_client -status}
 * sees it. The checks run every 200 ms here instead of every hour.
 */
class OcspStaplingTest {

    private static final String CHECK_INTERVAL = "gatehouse.ocsp.checkIntervalMillis";

    @TempDir
    Path dir;

    @BeforeEach
    void checkOften() {
        System.setProperty(CHECK_INTERVAL, "200");
    }

    @AfterEach
    void checkHourly() {
        System.clearProperty(CHECK_INTERVAL);
    }

    private static final String STATIC = """
            entryPoints:
              web:
                address: "127.0.0.1:0"
            providers:
              providersThrottleDuration: 200ms
              file:
                directory: dynamic
            ocsp:
              responderOverrides:
                "http://ocsp.unreachable.invalid/": "http://127.0.0.1:%d/"
            """;

    private static String certificates(TestCertificates.Leaf... leaves) {
        StringBuilder yaml = new StringBuilder("tls:\n  certificates:\n");
        for (TestCertificates.Leaf leaf : leaves) {
            yaml.append("    - {certFile: ").append(leaf.cert()).append(", keyFile: ").append(leaf.key()).append("}\n");
        }
        return yaml.toString();
    }

    @Test
    void goodAndRevokedResponsesAreStapledAndOverriddenRespondersAsked() throws Exception {
        int responderPort = Gateways.freePort();
        String responderUrl = "http://127.0.0.1:" + responderPort + "/";
        TestCertificates ca = TestCertificates.ca(dir.resolve("ca"));
        try (OcspResponder responder = OcspResponder.forCa(ca, dir.resolve("responder")).start(responderPort, 60)) {
            TestCertificates.Leaf good = responder.leaf("good.test", "rsa", responderUrl);
            TestCertificates.Leaf revoked = responder.leaf("revoked.test", "ec", responderUrl);
            responder.revoke(revoked);
            TestCertificates.Leaf overridden = responder.leaf("overridden.test", "ec", "http://ocsp.unreachable.invalid/");
            TestCertificates.Leaf noResponder = ca.leaf("plain", "ec", "plain.test");
            TestCertificates.Leaf fallback = responder.leaf("default.test", "ec", responderUrl);
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"),
                    certificates(good, revoked, overridden, noResponder) + """
                              stores:
                                default:
                                  defaultCertificate: {certFile: %s, keyFile: %s}
                            """.formatted(fallback.cert(), fallback.key()))
                    .staticConfig(STATIC.formatted(responderPort)).flag("--tlsEngine=conscrypt").start()) {
                int port = gateway.port("web");
                String goodStaple = awaitStaple(port, "good.test");
                assertTrue(goodStaple.contains("Cert Status: good"), goodStaple);
                assertTrue(goodStaple.contains("Next Update:"), goodStaple);
                String tls12 = OcspResponder.stapleSeenByOpenssl(port, "good.test", "-tls1_2");
                assertTrue(tls12.contains("Cert Status: good"), "TLS 1.2 too: " + tls12);

                // The default certificate, served to a name no certificate covers.
                String defaultStaple = awaitStaple(port, "unknown.test");
                assertTrue(defaultStaple.contains("Cert Status: good"), defaultStaple);

                // As Traefik (and Go), a revoked certificate's response is stapled too: it tells clients.
                String revokedStaple = awaitStaple(port, "revoked.test");
                assertTrue(revokedStaple.contains("Cert Status: revoked"), revokedStaple);
                assertFalse(gateway.logLines("WARN", "revoked.test", "revoked").isEmpty(), gateway.logs());

                // The certificate names an address that does not resolve: the override is asked instead.
                String overriddenStaple = awaitStaple(port, "overridden.test");
                assertTrue(overriddenStaple.contains("Cert Status: good"), overriddenStaple);

                assertTrue(OcspResponder.stapleSeenByOpenssl(port, "plain.test").contains("no response sent"),
                        "a certificate naming no responder gets no staple");
                assertTrue(gateway.logLines("OCSP: no response").isEmpty(), gateway.logs());
            }
        }
    }

    @Test
    void aResponderDownAtStartIsAskedAgainAndItsResponseStapledWithoutRestart() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("ca"));
        // A port bound but not listening: connections are refused, and nothing else can take it meanwhile.
        java.net.Socket reserved = new java.net.Socket();
        reserved.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
        int responderPort = reserved.getLocalPort();
        try (reserved; OcspResponder responder = OcspResponder.forCa(ca, dir.resolve("responder"))) {
            TestCertificates.Leaf late = responder.leaf("late.test", "ec", "http://127.0.0.1:" + responderPort + "/");
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), certificates(late))
                    .staticConfig(STATIC.formatted(responderPort)).flag("--tlsEngine=conscrypt").start()) {
                int port = gateway.port("web");
                String failure = "OCSP: no response for certificate 'late.test'";
                await(() -> gateway.logLines("WARN", failure).size() == 1, "a warning that the responder is down");
                assertTrue(OcspResponder.stapleSeenByOpenssl(port, "late.test").contains("no response sent"));

                // Up but failing: asked at every check (200 ms here), with no new warning within the hour.
                reserved.close();
                responder.failing(true).start(responderPort, 60);
                await(() -> responder.requests() >= 3, "three more checks");
                assertEquals(1, gateway.logLines("WARN", failure).size(), gateway.logs());
                assertTrue(OcspResponder.stapleSeenByOpenssl(port, "late.test").contains("no response sent"));

                responder.failing(false);
                String staple = awaitStaple(port, "late.test");
                assertTrue(staple.contains("Cert Status: good"), staple);
            }
        }
    }

    /**
     * Two certificates for one name, RSA and EC: Conscrypt presents one of them (the EC one), and the staple must be
     * that one's, or none; never the other certificate's response.
     */
    @Test
    void theStapleIsThatOfTheCertificatePresented() throws Exception {
        int responderPort = Gateways.freePort();
        String responderUrl = "http://127.0.0.1:" + responderPort + "/";
        TestCertificates ca = TestCertificates.ca(dir.resolve("ca"));
        try (OcspResponder responder = OcspResponder.forCa(ca, dir.resolve("responder")).start(responderPort, 60)) {
            TestCertificates.Leaf bothRsa = responder.leaf("both.test", "rsa", responderUrl);
            TestCertificates.Leaf bothEc = responder.leaf("both.test", "ec", responderUrl);
            TestCertificates.Leaf mixedRsa = responder.leaf("mixed.test", "rsa", responderUrl);
            TestCertificates.Leaf mixedEc = ca.leaf("mixed-ec", "ec", "mixed.test");
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"),
                    certificates(bothRsa, bothEc, mixedRsa))
                    .staticConfig(STATIC.formatted(responderPort)).flag("--tlsEngine=conscrypt").start()) {
                int port = gateway.port("web");
                String both = awaitStaple(port, "both.test");
                assertTrue(both.contains("Serial Number: " + OcspResponder.printedSerial(bothEc)), both);
                assertTrue(OcspResponder.opensslClient(port, "both.test").contains("Server public key is 256 bit"));
                awaitStaple(port, "mixed.test"); // the RSA certificate's, the only one for the name so far

                long generation = gateway.application().generation();
                gateway.writeDynamic("test.yml", certificates(bothRsa, bothEc, mixedRsa, mixedEc));
                gateway.awaitReload(generation, () -> true, java.time.Duration.ofSeconds(10));
                String mixed = OcspResponder.opensslClient(port, "mixed.test");
                assertTrue(mixed.contains("Server public key is 256 bit"), "the EC certificate is presented\n" + mixed);
                assertTrue(mixed.contains("OCSP response: no response sent"),
                        "it names no responder: the RSA certificate's response is not sent with it\n" + mixed);
            }
        }
    }

    @Test
    void theJdkEngineSaysItDoesNotStaple() throws Exception {
        int responderPort = Gateways.freePort();
        TestCertificates ca = TestCertificates.ca(dir.resolve("ca"));
        try (OcspResponder responder = OcspResponder.forCa(ca, dir.resolve("responder")).start(responderPort, 60)) {
            TestCertificates.Leaf good = responder.leaf("good.test", "ec", "http://127.0.0.1:" + responderPort + "/");
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), certificates(good))
                    .staticConfig(STATIC.formatted(responderPort)).flag("--tlsEngine=jdk").start()) {
                assertFalse(gateway.logLines("WARN", "ocsp:", "not stapled by the JDK TLS engine").isEmpty(),
                        gateway.logs());
                assertTrue(OcspResponder.stapleSeenByOpenssl(gateway.port("web"), "good.test")
                        .contains("no response sent"));
                assertEquals(0, responder.requests(), "nothing is fetched that would not be stapled");
            }
        }
    }

    /** The staple {@code openssl s_client -status} sees for {@code serverName}, once there is one (10 s at most). */
    private static String awaitStaple(int port, String serverName) throws Exception {
        return Poll.untilValue("an OCSP response stapled for " + serverName, Duration.ofSeconds(10),
                () -> OcspResponder.stapleSeenByOpenssl(port, serverName),
                seen -> seen.contains("OCSP Response Status: successful"));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Poll.until(what, Duration.ofSeconds(10), condition::getAsBoolean);
    }
}
