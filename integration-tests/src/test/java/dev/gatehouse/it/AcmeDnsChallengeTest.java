package dev.gatehouse.it;

import static dev.gatehouse.it.TestCertificates.subjectAlternativeNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACME DNS-01 end to end, in a gateway process (the DNS providers read lego's environment variables): wildcard
 * certificates issued by a Pebble that validates against the real authoritative DNS server test.sh starts (BIND,
 * scripts/dns-server.sh), the TXT records published by {@code rfc2136} (TSIG-signed updates) and by {@code exec}
 * (scripts/dns-set-txt.sh, nsupdate) and removed afterwards; a wildcard refused without {@code dnsChallenge}, and
 * a {@code *.*} name refused as Traefik refuses it;
 * Traefik's deprecated keys accepted with a warning.
 */
class AcmeDnsChallengeTest {

    private static final String DIRECTORY = System.getenv("IT_DNS_PEBBLE_DIRECTORY");
    private static final String DNS_SERVER = System.getenv("IT_DNS_SERVER");
    private static final Duration ISSUE_WAIT = Duration.ofSeconds(120);

    private static TrustManager[] trustingPebbleRoot;

    @TempDir
    Path dir;

    @BeforeAll
    static void pebble() throws Exception {
        if ((DIRECTORY == null || DNS_SERVER == null) && "required".equals(System.getenv("IT_DNS_TESTS"))) {
            fail("IT_DNS_TESTS=required but BIND or its Pebble is not running (test.sh start_dns)");
        }
        assumeTrue(DIRECTORY != null && DNS_SERVER != null, "BIND and its Pebble are not running (test.sh starts them)");
        trustingPebbleRoot = PebbleRoot.trustManagers("IT_DNS_PEBBLE");
    }

    private static String resolver(String name, String dnsChallenge) {
        return """
                  %s:
                    acme:
                      caServer: %s
                      storage: acme.json
                      caCertificates: [%s]
                %s
                """.formatted(name, DIRECTORY, System.getenv("IT_DNS_PEBBLE_CA"), dnsChallenge.indent(6).stripTrailing());
    }

    /** gatehouse.yml: the entry points web and websecure, {@code layout}'s dynamic folder and {@code resolvers}. */
    private Path staticConfig(int web, int websecure, TestGateway layout, String resolvers) throws IOException {
        return Files.writeString(dir.resolve("gatehouse.yml"), """
                entryPoints:
                  web:
                    address: "127.0.0.1:%d"
                  websecure:
                    address: "127.0.0.1:%d"
                providers:
                  file:
                    directory: %s
                certificatesResolvers:
                """.formatted(web, websecure, layout.dynamicDir()) + resolvers);
    }

    @Test
    void issuesWildcardCertificatesThroughRfc2136AndExecAndRefusesAWildcardWithoutDns01() throws Exception {
        int web = Gateways.freePort();
        int websecure = Gateways.freePort();
        // The checks ask BIND itself (the zone's NS record points at port 53, where it does not listen).
        String checks = """
                  resolvers: ["%s"]
                  propagation:
                    disableANSChecks: true
                    requireAllRNS: true
                """.formatted(DNS_SERVER);
        try (TestBackend backend = TestBackend.echo("app")) {
            TestGateway layout = Gateways.withDynamic(dir, """
                    http:
                      routers:
                        ready:
                          rule: PathPrefix(`/ready`)
                          entryPoints: [web]
                          service: app
                        apexAndWildcard:
                          rule: Host(`www.example.test`)
                          entryPoints: [websecure]
                          service: app
                          tls:
                            certResolver: viaRfc2136
                            domains:
                              - main: example.test
                                sans: ["*.example.test"]
                        wildcardOnly:
                          rule: Host(`any.exec.example.test`)
                          entryPoints: [websecure]
                          service: app
                          tls:
                            certResolver: viaExec
                            domains:
                              - main: "*.exec.example.test"
                        doubleWildcard:
                          rule: Host(`a.b.double.example.test`)
                          entryPoints: [websecure]
                          service: app
                          tls:
                            certResolver: viaRfc2136
                            domains:
                              - main: "*.*.double.example.test"
                        noDns:
                          rule: Host(`a.nodns.test`)
                          entryPoints: [websecure]
                          service: app
                          tls:
                            certResolver: viaHttp
                            domains:
                              - main: "*.nodns.test"
                      services:
                        app:
                          loadBalancer:
                            servers:
                              - url: %s
                    """.formatted(backend.url()));
            Path config = staticConfig(web, websecure, layout,
                    resolver("viaRfc2136", "dnsChallenge:\n  provider: rfc2136\n" + checks)
                    + resolver("viaExec", "dnsChallenge:\n  provider: exec\n  delayBeforeCheck: 1\n" + checks)
                    + resolver("viaHttp", "httpChallenge:\n  entryPoint: web\n"));
            Map<String, String> lego = Map.of(
                    "RFC2136_NAMESERVER", DNS_SERVER,
                    "RFC2136_TSIG_KEY", System.getenv("IT_DNS_TSIG_KEY"),
                    "RFC2136_TSIG_SECRET", System.getenv("IT_DNS_TSIG_SECRET"),
                    "RFC2136_TSIG_ALGORITHM", System.getenv("IT_DNS_TSIG_ALGORITHM") + ".",
                    "RFC2136_PROPAGATION_TIMEOUT", "20",
                    "RFC2136_POLLING_INTERVAL", "1",
                    // the wildcard and the apex share one TXT name: lego's pause between them, short for the test
                    "RFC2136_SEQUENCE_INTERVAL", "1",
                    "EXEC_PATH", System.getenv("IT_DNS_SET_TXT"),
                    "EXEC_MODE", "RAW",
                    "EXEC_PROPAGATION_TIMEOUT", "20");
            try (GatewayProcess gateway = GatewayProcess.start(dir, config, layout.pluginsDir(),
                    "http://127.0.0.1:" + web + "/ready", lego)) {
                X509Certificate both = awaitServed(gateway, websecure, "www.example.test");
                assertEquals(Set.of("example.test", "*.example.test"), Set.copyOf(subjectAlternativeNames(both)), "the CA orders the names its way");
                assertEquals(both.getSerialNumber(), awaitServed(gateway, websecure, "example.test").getSerialNumber());

                X509Certificate wildcard = awaitServed(gateway, websecure, "any.exec.example.test");
                assertEquals(List.of("*.exec.example.test"), subjectAlternativeNames(wildcard));

                assertTrue(gateway.output().contains("cannot obtain a certificate for [*.nodns.test]: the wildcard name "
                        + "*.nodns.test needs DNS-01: add dnsChallenge to certificatesResolvers.viaHttp.acme"), gateway.output());
                assertTrue(gateway.output().contains("cannot obtain a certificate for [*.*.double.example.test]: ACME "
                        + "does not allow a '*.*' wildcard name"), gateway.output());
                assertTrue(gateway.output().contains("certificatesResolvers.viaExec.acme.dnsChallenge.delayBeforeCheck "
                        + "(use propagation.delayBeforeChecks) is deprecated"), gateway.output());
                assertEquals("", txt("_acme-challenge.example.test"), "the records are removed after validation");
                assertEquals("", txt("_acme-challenge.exec.example.test"));
            }
        }
    }

    @Test
    void anUpdateTheServerRefusesIsLoggedWithItsAnswerAndTheVariablesToCheck() throws Exception {
        int web = Gateways.freePort();
        int websecure = Gateways.freePort();
        try (TestBackend backend = TestBackend.echo("app")) {
            TestGateway layout = Gateways.withDynamic(dir, """
                    http:
                      routers:
                        ready:
                          rule: PathPrefix(`/ready`)
                          entryPoints: [web]
                          service: app
                        refused:
                          rule: Host(`refused.example.test`)
                          entryPoints: [websecure]
                          service: app
                          tls:
                            certResolver: viaRfc2136
                      services:
                        app:
                          loadBalancer:
                            servers:
                              - url: %s
                    """.formatted(backend.url()));
            Path config = staticConfig(web, websecure, layout,
                    resolver("viaRfc2136", "dnsChallenge:\n  provider: rfc2136\n  resolvers: [\"" + DNS_SERVER + "\"]\n"));
            Map<String, String> wrongSecret = Map.of(
                    "RFC2136_NAMESERVER", DNS_SERVER,
                    "RFC2136_TSIG_KEY", System.getenv("IT_DNS_TSIG_KEY"),
                    "RFC2136_TSIG_SECRET", java.util.Base64.getEncoder().encodeToString(new byte[32]),
                    "RFC2136_TSIG_ALGORITHM", System.getenv("IT_DNS_TSIG_ALGORITHM"));
            try (GatewayProcess gateway = GatewayProcess.start(dir, config, layout.pluginsDir(),
                    "http://127.0.0.1:" + web + "/ready", wrongSecret)) {
                String expected = "cannot obtain a certificate for [refused.example.test]: rfc2136: the DNS server "
                        + DNS_SERVER + " refused the update of _acme-challenge.refused.example.test. in zone example.test.: "
                        + "NOTAUTH (TSIG BADSIG); check RFC2136_TSIG_KEY, RFC2136_TSIG_SECRET and RFC2136_TSIG_ALGORITHM";
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!gateway.output().contains(expected) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertTrue(gateway.output().contains(expected), gateway.output());
                assertTrue(!gateway.output().contains("Exception"), "no Java class names: " + gateway.output());
                assertEquals("", txt("_acme-challenge.refused.example.test"));
            }
        }
    }

    @Test
    void aMissingProviderVariableLeavesTheResolverOutWithItsName() throws Exception {
        assumeTrue(System.getenv("RFC2136_NAMESERVER") == null, "this test's own environment sets RFC2136_NAMESERVER");
        try (TestGateway gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    wildcard:
                      rule: Host(`www.example.test`)
                      service: noop@internal
                      tls:
                        certResolver: le
                        domains:
                          - main: "*.example.test"
                """).staticConfig("""
                entryPoints:
                  websecure:
                    address: "127.0.0.1:0"
                providers:
                  file:
                    directory: dynamic
                certificatesResolvers:
                  le:
                    acme:
                      caServer: %s
                      storage: acme.json
                      dnsChallenge:
                        provider: rfc2136
                """.formatted(DIRECTORY)).start()) {
            assertEquals(1, gateway.logLines("Certificate resolver le failed to start and is left out: "
                    + "certificatesResolvers.le.acme.dnsChallenge.provider rfc2136: the DNS provider rfc2136 needs the "
                    + "environment variable RFC2136_NAMESERVER (or RFC2136_NAMESERVER_FILE, a file holding the value)").size(),
                    gateway.logs());
            assertTrue(gateway.logLines("IllegalArgumentException").isEmpty(), "no Java class names: " + gateway.logs());
        }
    }

    /** Waits until a client trusting Pebble's root gets a certificate for {@code host}; returns the leaf. */
    private static X509Certificate awaitServed(GatewayProcess gateway, int port, String host) throws Exception {
        long deadline = System.nanoTime() + ISSUE_WAIT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trustingPebbleRoot, null);
                return TestCertificates.handshake(context, port, host, null, null, "GET / HTTP/1.1\r\nHost: " + host).peer();
            } catch (java.io.IOException e) {
                last = e;
                Thread.sleep(500);
            }
        }
        throw new AssertionError("no certificate from Pebble for " + host + " within " + ISSUE_WAIT + "; the gateway's log:\n"
                + gateway.output(), last);
    }

    /** The TXT answer of the DNS server for {@code name}, with dig (bind9-dnsutils, installed with nsupdate). */
    private static String txt(String name) throws Exception {
        Process dig = new ProcessBuilder("dig", "+short", "+time=5", "-p", DNS_SERVER.substring(DNS_SERVER.lastIndexOf(':') + 1),
                "@127.0.0.1", "TXT", name).redirectErrorStream(true).start();
        String out = new String(dig.getInputStream().readAllBytes()).strip();
        assertTrue(dig.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && dig.exitValue() == 0, out);
        return out;
    }
}
