package dev.gatehouse.it;

import static dev.gatehouse.it.TestCertificates.subjectAlternativeNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code acme} resolver against a real Pebble, started by test.sh (skipped without it): certificates over
 * HTTP-01 and TLS-ALPN-01, served with a chain that Pebble's root validates, kept in the storage file and reused
 * after a restart, renewed before expiry (test.sh's Pebble issues 150 s certificates), and the CA unreachable for
 * a while without harm. Pebble validates on the ports test.sh gives it (IT_PEBBLE_HTTP_PORT, IT_PEBBLE_TLS_PORT):
 * the gateway listens on them.
 */
class AcmePebbleTest {

    private static final String DIRECTORY = System.getenv("IT_PEBBLE_DIRECTORY");
    private static final Duration ISSUE_WAIT = Duration.ofSeconds(180);

    private static javax.net.ssl.TrustManager[] trustingPebbleRoot;

    @TempDir
    Path dir;

    @BeforeAll
    static void pebbleRoot() throws Exception {
        assumeTrue(DIRECTORY != null, "Pebble is not running (test.sh starts it)");
        trustingPebbleRoot = PebbleRoot.trustManagers("IT_PEBBLE");
    }

    private String staticConfig(Path storage) {
        return """
                entryPoints:
                  web:
                    address: "127.0.0.1:%s"
                  websecure:
                    address: "127.0.0.1:%s"
                providers:
                  providersThrottleDuration: 200ms
                  file:
                    directory: dynamic
                certificatesResolvers:
                  viaHttp:
                    acme:
                      email: ops@example.com
                      caServer: %s
                      storage: %s
                      caCertificates: [%s]
                      httpChallenge:
                        entryPoint: web
                  viaTls:
                    acme:
                      caServer: %s
                      storage: %s
                      caCertificates: [%s]
                      tlsChallenge: {}
                """.formatted(System.getenv("IT_PEBBLE_HTTP_PORT"), System.getenv("IT_PEBBLE_TLS_PORT"),
                DIRECTORY, storage, System.getenv("IT_PEBBLE_CA"),
                DIRECTORY, storage, System.getenv("IT_PEBBLE_CA"));
    }

    private static String routers(String backend, String... hostResolverPairs) {
        StringBuilder yaml = new StringBuilder("http:\n  routers:\n");
        for (int i = 0; i + 1 < hostResolverPairs.length; i += 2) {
            yaml.append("    r").append(i).append(":\n")
                    .append("      rule: Host(`").append(hostResolverPairs[i]).append("`)\n")
                    .append("      service: app\n")
                    .append("      entryPoints: [websecure]\n")
                    .append("      tls:\n        certResolver: ").append(hostResolverPairs[i + 1]).append('\n');
        }
        yaml.append("""
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(backend));
        return yaml.toString();
    }

    private static int tlsPort() {
        return Integer.parseInt(System.getenv("IT_PEBBLE_TLS_PORT"));
    }

    /** Waits until a client trusting Pebble's root completes a handshake for {@code host}; returns the leaf. */
    private static X509Certificate awaitServed(String host, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                // A new context each time: a resumed TLS session would report the certificate of its first handshake.
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trustingPebbleRoot, null);
                TestCertificates.Handshake handshake = TestCertificates.handshake(context, tlsPort(), host,
                        null, null, "GET / HTTP/1.1\r\nHost: " + host);
                assertTrue(handshake.response().startsWith("HTTP/1.1 200"), handshake.response());
                return handshake.peer();
            } catch (java.io.IOException e) {
                last = e;
                Thread.sleep(500);
            }
        }
        throw new AssertionError("no certificate from Pebble served for " + host + " within " + timeout, last);
    }

    private static long ordersInPebbleLog() throws Exception {
        String log = System.getenv("IT_PEBBLE_LOG");
        return log == null ? -1 : Files.readAllLines(Path.of(log)).stream().filter(l -> l.contains("/order-plz")).count();
    }

    /** The API and the metrics, for {@link #assertObserved}; the API through a router on the web entry point. */
    private static final String OBSERVED = """
            api: {}
            metrics:
              prometheus:
                entryPoint: web
            """;

    /**
     * A certificate obtained by a resolver is in {@code /api/certificates} with its resolver, and its expiry in
     * {@code traefik_tls_certs_not_after}.
     */
    private static void assertObserved(TestGateway gateway, X509Certificate served, String resolver) throws Exception {
        if (!gateway.routerEnabled("api@file")) {
            long generation = gateway.application().generation();
            gateway.writeDynamic("api.yml", """
                http:
                  routers:
                    api:
                      rule: PathPrefix(`/api`)
                      entryPoints: [web]
                      service: api@internal
                """);
            gateway.awaitReload(generation, () -> gateway.routerEnabled("api@file"), Duration.ofSeconds(20));
        }
        com.fasterxml.jackson.databind.JsonNode certificates = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Http.get(gateway.url("/api/certificates")).body());
        com.fasterxml.jackson.databind.JsonNode entry = null;
        for (com.fasterxml.jackson.databind.JsonNode certificate : certificates) {
            if (served.getSerialNumber().toString().equals(certificate.path("serial").asText())) {
                entry = certificate;
            }
        }
        assertTrue(entry != null, "serial " + served.getSerialNumber() + " not in " + certificates);
        assertEquals("resolver", entry.path("source").asText());
        assertEquals(resolver, entry.path("resolver").asText());
        assertEquals(subjectAlternativeNames(served).toString().replace(" ", ""), entry.path("domains").toString().replace("\"", ""));
        assertEquals(served.getNotAfter().toInstant().toString(), entry.path("notAfter").asText());
        assertTrue(entry.path("issuer").asText().startsWith("Pebble Intermediate CA"), entry.toString());

        String scrape = Http.get(gateway.url("/metrics")).body();
        String line = scrape.lines().filter(l -> l.startsWith("traefik_tls_certs_not_after{")
                && l.contains("serial=\"" + served.getSerialNumber() + "\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no traefik_tls_certs_not_after for " + served.getSerialNumber()
                        + " in\n" + scrape));
        assertTrue(line.contains("sans=\"" + String.join(",", subjectAlternativeNames(served)) + "\""), line);
        assertEquals(served.getNotAfter().getTime() / 1000, (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), line);
    }

    /**
     * {@code tls.stores.default.defaultGeneratedCert}: the resolver obtains the default certificate for the given
     * domains, and it is then served to every name no other certificate covers (here: every name), as in Traefik.
     */
    @Test
    void defaultGeneratedCertIsObtainedFromTheResolverAndServedForUnknownNames() throws Exception {
        Path storage = dir.resolve("acme.json");
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), """
                     http:
                       routers:
                         any:
                           rule: PathPrefix(`/`)
                           service: app
                           entryPoints: [websecure]
                           tls: {}
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     tls:
                       stores:
                         default:
                           defaultGeneratedCert:
                             resolver: viaHttp
                             domain:
                               main: default.acme.test
                               sans: [alt.acme.test]
                     """.formatted(backend.url())).staticConfig(staticConfig(storage)).start()) {
            // Until it is issued the generated default certificate is served, which Pebble's root does not sign.
            X509Certificate served = awaitServed("unknown.acme.test", ISSUE_WAIT);
            assertEquals(java.util.Set.of("default.acme.test", "alt.acme.test"), java.util.Set.copyOf(subjectAlternativeNames(served)));
            assertEquals(served.getSerialNumber(), awaitServed("other.example.test", Duration.ofSeconds(10))
                    .getSerialNumber(), "every name without a certificate of its own gets it");
            assertTrue(gateway.application().runtime().problems().isEmpty(),
                    gateway.application().runtime().problems().toString());
        }
    }

    @Test
    void issuesOverHttp01AndTlsAlpn01ServesTheChainAndReusesItAfterARestart() throws Exception {
        Path storage = dir.resolve("acme.json");
        String dynamic;
        X509Certificate a;
        X509Certificate b;
        try (TestBackend backend = TestBackend.echo("app")) {
            dynamic = routers(backend.url(), "a.acme.test", "viaHttp", "b.acme.test", "viaTls", "a.acme.test", "viaHttp");
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), dynamic)
                    .staticConfig(staticConfig(storage) + OBSERVED).start()) {
                a = awaitServed("a.acme.test", ISSUE_WAIT);
                b = awaitServed("b.acme.test", ISSUE_WAIT);
                assertEquals(List.of("a.acme.test"), subjectAlternativeNames(a));
                assertEquals(List.of("b.acme.test"), subjectAlternativeNames(b));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(storage)));
                assertEquals(1, gateway.logLines("certificate for [a.acme.test] is served").size(),
                        "two routers with the same domain cause one order: " + gateway.logLines("a.acme.test"));
                assertObserved(gateway, a, "viaHttp");
                assertObserved(gateway, b, "viaTls");
            }
            long ordersBefore = ordersInPebbleLog();

            // A restart serves the stored certificates at once and orders nothing.
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw2"), dynamic)
                    .staticConfig(staticConfig(storage)).start()) {
                X509Certificate again = awaitServed("a.acme.test", Duration.ofSeconds(30));
                assertEquals(a.getSerialNumber(), again.getSerialNumber(), "the stored certificate is served");
                assertEquals(b.getSerialNumber(), awaitServed("b.acme.test", Duration.ofSeconds(30)).getSerialNumber());
                assertEquals(ordersBefore, ordersInPebbleLog(), "no new order after a restart");
            }
        }
    }

    @Test
    void renewsBeforeExpiryAndKeepsServingWhileTheCaIsUnreachable() throws Exception {
        Path storage = dir.resolve("acme.json");
        String pid = System.getenv("IT_PEBBLE_PID");
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"),
                     routers(backend.url(), "renew.acme.test", "viaHttp")).staticConfig(staticConfig(storage)).start()) {
            X509Certificate first = awaitServed("renew.acme.test", ISSUE_WAIT);

            // Pebble's certificates live 150 s: the renewal starts when 50 s are left, and is served at once.
            long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
            X509Certificate current = first;
            try {
                while (current.getSerialNumber().equals(first.getSerialNumber()) && System.nanoTime() < deadline) {
                    Thread.sleep(2000);
                    current = awaitServed("renew.acme.test", Duration.ofSeconds(30));
                }
            } catch (AssertionError e) {
                throw new AssertionError("first certificate valid until " + first.getNotAfter().toInstant()
                        + "; the gateway's log: " + gateway.logLines("renew.acme.test"), e);
            }
            assertNotEquals(first.getSerialNumber(), current.getSerialNumber(),
                    "renewed without a restart; the gateway's log: " + gateway.logLines("renew.acme.test"));

            if (pid == null) {
                return;
            }
            // The CA becomes unreachable: a new router's order fails and is retried; everything else is served.
            signal("STOP", pid);
            try {
                long generation = gateway.application().generation();
                gateway.writeDynamic("test.yml", routers(backend.url(), "renew.acme.test", "viaHttp",
                        "late.acme.test", "viaHttp"));
                gateway.awaitReload(generation, () -> true, Duration.ofSeconds(30));
                long failureDeadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (gateway.logLines("cannot obtain a certificate for [late.acme.test]").isEmpty()
                        && System.nanoTime() < failureDeadline) {
                    Thread.sleep(500);
                }
                assertTrue(!gateway.logLines("cannot obtain a certificate for [late.acme.test]").isEmpty(),
                        "the failure is logged with its domain");
                awaitServed("renew.acme.test", Duration.ofSeconds(30));
                assertEquals("CN=GATEHOUSE DEFAULT CERT",
                        TestCertificates.handshake(tlsPort(), "late.acme.test").subject(),
                        "the default certificate is served meanwhile");
            } finally {
                signal("CONT", pid);
            }
            X509Certificate late = awaitServed("late.acme.test", ISSUE_WAIT);
            assertEquals(List.of("late.acme.test"), subjectAlternativeNames(late), "recovered once the CA is back");
        }
    }

    private static void signal(String signal, String pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + pid);
    }
}
