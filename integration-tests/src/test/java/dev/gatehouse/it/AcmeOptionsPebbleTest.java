package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.testkit.TestGateway;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code certificatesResolvers.<name>.acme} options beyond the basics, against test.sh's Pebble (skipped
 * without it), which offers an alternate chain to a second root ({@code PEBBLE_ALTERNATE_ROOTS=1}):
 * {@code preferredChain}, {@code httpChallenge.delay}, {@code tlsChallenge.delay}, {@code profile}, {@code caServerName} with {@code caCertificates} and the
 * client timeouts. ({@code disableCommonName} and {@code emailAddresses} shape the certificate request, which
 * Pebble does not mirror: Pebble 2.4 sets the CN to the first name and drops e-mail names; CertificateRequestsTest.)
 */
class AcmeOptionsPebbleTest {

    private static final String DIRECTORY = System.getenv("IT_PEBBLE_DIRECTORY");
    private static final Duration ISSUE_WAIT = Duration.ofSeconds(120);
    private static final DateTimeFormatter PEBBLE_TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");

    @TempDir
    Path dir;

    @BeforeAll
    static void pebble() {
        assumeTrue(DIRECTORY != null, "Pebble is not running (test.sh starts it)");
    }

    private static String commonName(java.security.Principal principal) {
        return Arrays.stream(principal.getName().split(",")).map(String::strip).filter(part -> part.startsWith("CN="))
                .map(part -> part.substring(3)).findFirst().orElse(null);
    }

    /** Waits until the gateway serves a Pebble-issued chain for {@code host}; returns the chain as served. */
    private static List<X509Certificate> awaitServedChain(String host) throws Exception {
        int port = Integer.parseInt(System.getenv("IT_PEBBLE_TLS_PORT"));
        long deadline = System.nanoTime() + ISSUE_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            SSLContext context = TestCertificates.trustingAll();   // a new one each time: no resumed session
            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
                 SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true)) {
                socket.setSoTimeout(10_000);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(host)));
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                List<X509Certificate> chain = Arrays.stream(socket.getSession().getPeerCertificates())
                        .map(X509Certificate.class::cast).toList();
                if (chain.get(0).getIssuerX500Principal().getName().contains("Pebble")) {
                    return chain;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no certificate from Pebble served for " + host + " within " + ISSUE_WAIT);
    }

    private String gatewayConfig(String resolvers) {
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
                %s""".formatted(System.getenv("IT_PEBBLE_HTTP_PORT"), System.getenv("IT_PEBBLE_TLS_PORT"),
                resolvers.indent(2));
    }

    /** A resolver on Pebble over HTTP-01 with {@code options} (YAML lines under {@code acme}). */
    private String resolver(String name, String options) {
        return """
                %s:
                  acme:
                    caServer: %s
                    storage: %s
                    caCertificates: [%s]
                    httpChallenge:
                      entryPoint: web
                %s""".formatted(name, DIRECTORY, dir.resolve(name + ".json"), System.getenv("IT_PEBBLE_CA"),
                options.indent(4));
    }

    private static String routers(String backend, String... hostResolverPairs) {
        StringBuilder yaml = new StringBuilder("http:\n  routers:\n");
        for (int i = 0; i + 1 < hostResolverPairs.length; i += 2) {
            yaml.append("    r").append(i).append(":\n")
                    .append("      rule: Host(`").append(hostResolverPairs[i]).append("`)\n")
                    .append("      service: app\n      entryPoints: [websecure]\n")
                    .append("      tls:\n        certResolver: ").append(hostResolverPairs[i + 1]).append('\n');
        }
        return yaml + "  services:\n    app:\n      loadBalancer:\n        servers:\n          - url: " + backend + "\n";
    }

    /**
     * {@code preferredChain} picks the alternate chain whose top certificate Pebble's second root issued, a name no
     * chain has leaves the default chain; {@code caServerName} naming the CA's certificate (test.sh's has
     * {@code localhost}) and the client timeouts let the orders through.
     */
    @Test
    void preferredChainPicksTheAlternateChainWhoseTopIssuerMatches() throws Exception {
        String alternateRoot = commonName(PebbleRoot.root("IT_PEBBLE", 1).getSubjectX500Principal());
        String defaultRoot = commonName(PebbleRoot.root("IT_PEBBLE", 0).getSubjectX500Principal());
        String resolvers = resolver("preferred", """
                preferredChain: "%s"
                caServerName: localhost
                clientTimeout: 1m
                clientResponseHeaderTimeout: 20s
                """.formatted(alternateRoot))
                + resolver("unmatched", """
                preferredChain: "No Such Root CA"
                """);
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), routers(backend.url(),
                     "preferred.acme.test", "preferred", "unmatched.acme.test", "unmatched"))
                     .staticConfig(gatewayConfig(resolvers)).start()) {
            List<X509Certificate> preferred = awaitServedChain("preferred.acme.test");
            assertEquals(alternateRoot, commonName(preferred.get(preferred.size() - 1).getIssuerX500Principal()),
                    "the chain to the preferred root is served");

            List<X509Certificate> unmatched = awaitServedChain("unmatched.acme.test");
            assertEquals(defaultRoot, commonName(unmatched.get(unmatched.size() - 1).getIssuerX500Principal()),
                    "no chain matches: the default one");
            assertEquals(1, gateway.logLines("ACME resolver unmatched: preferredChain 'No Such Root CA' matches no chain "
                    + "the CA offers (their top issuers: " + defaultRoot + ", " + alternateRoot + "); the default chain "
                    + "is served").size(), gateway.logs());
            assertTrue(gateway.application().runtime().problems().isEmpty(),
                    gateway.application().runtime().problems().toString());
        }
    }

    /**
     * {@code caServerName}: the CA's certificate (test.sh's names {@code localhost} and 127.0.0.1) must be valid for
     * that name, so another name fails the connection, and the failure says so.
     */
    @Test
    void caServerNameTheCaCertificateDoesNotCarryFailsTheOrder() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"),
                     routers(backend.url(), "misnamed.acme.test", "misnamed"))
                     .staticConfig(gatewayConfig(resolver("misnamed", "caServerName: ca.other.test\n"))).start()) {
            String failure = awaitFailure(gateway, "misnamed.acme.test", Duration.ofSeconds(60));
            assertTrue(failure.contains("cannot reach the CA: the ACME server's certificate is not valid for "
                    + "caServerName ca.other.test"), failure);
        }
    }

    /** The first logged failure to obtain a certificate for {@code domain}, within {@code timeout}. */
    private static String awaitFailure(TestGateway gateway, String domain, Duration timeout) throws Exception {
        String line = "cannot obtain a certificate for [" + domain + "]";
        Poll.until("the failure logged", timeout, () -> !gateway.logLines(line).isEmpty(), gateway::logs);
        return gateway.logLines(line).get(0);
    }

    /**
     * {@code profile}: test.sh's Pebble (2.4) lists no profiles in its directory, so a profile fails the order
     * before it is sent, with a message that names the profile and what the CA offers.
     */
    @Test
    void profileTheCaDoesNotOfferFailsTheOrderNamingIt() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"),
                     routers(backend.url(), "profiled.acme.test", "profiled"))
                     .staticConfig(gatewayConfig(resolver("profiled", "profile: shortlived\n"))).start()) {
            String failure = awaitFailure(gateway, "profiled.acme.test", Duration.ofSeconds(60));
            assertTrue(failure.contains("the CA offers no profile 'shortlived' (profiles: none): change profile in "
                    + "certificatesResolvers.profiled.acme"), failure);
        }
    }

    /**
     * {@code clientResponseHeaderTimeout}: a CA that accepts the connection and never answers fails the order once
     * it has passed (acme4j's own default would wait 10 s), and the failure says the CA was not reached.
     */
    @Test
    void clientResponseHeaderTimeoutBoundsTheWaitForASilentCa() throws Exception {
        try (java.net.ServerSocket silentCa = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silentCa.accept());   // read nothing, answer nothing
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "silent-ca");
            acceptor.setDaemon(true);
            acceptor.start();
            String resolver = """
                    silent:
                      acme:
                        caServer: http://127.0.0.1:%d/dir
                        storage: %s
                        clientTimeout: 2s
                        clientResponseHeaderTimeout: 1s
                        httpChallenge:
                          entryPoint: web
                    """.formatted(silentCa.getLocalPort(), dir.resolve("silent.json"));
            try (TestBackend backend = TestBackend.echo("app");
                 TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"),
                         routers(backend.url(), "silent.acme.test", "silent"))
                         .staticConfig(gatewayConfig(resolver)).start()) {
                long started = System.nanoTime();
                String failure = awaitFailure(gateway, "silent.acme.test", Duration.ofSeconds(8));
                assertTrue(failure.contains("cannot reach the CA: request timed out"), failure);
                assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(8)) < 0);
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }

    /**
     * {@code httpChallenge.delay} and {@code tlsChallenge.delay}: Pebble is asked to validate (its
     * {@code POST /chalZ}) only once the delay has passed since the order (its {@code POST /order-plz}); Pebble logs
     * to the second, so 3 s show as at least 2.
     */
    @ParameterizedTest
    @ValueSource(strings = {"httpChallenge:\n      entryPoint: web\n      delay: 3s\n", "tlsChallenge:\n      delay: 3s\n"})
    void challengeDelayWaitsBeforeTheCaIsAskedToValidate(String challenge) throws Exception {
        Path pebbleLog = Path.of(System.getenv("IT_PEBBLE_LOG"));
        int logLinesBefore = Files.readAllLines(pebbleLog).size();
        String resolver = resolver("delayed", "").replace("httpChallenge:\n      entryPoint: web\n", challenge);
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"),
                     routers(backend.url(), "delayed.acme.test", "delayed"))
                     .staticConfig(gatewayConfig(resolver)).start()) {
            awaitServedChain("delayed.acme.test");
        }
        List<String> lines = Files.readAllLines(pebbleLog);
        lines = lines.subList(logLinesBefore, lines.size());
        LocalDateTime ordered = pebbleTime(lines, "POST /order-plz");
        LocalDateTime validationAsked = pebbleTime(lines, "POST /chalZ/");
        long seconds = Duration.between(ordered, validationAsked).toSeconds();
        assertTrue(seconds >= 2, "the validation was asked " + seconds + " s after the order:\n" + String.join("\n", lines));
    }

    private static LocalDateTime pebbleTime(List<String> lines, String request) {
        String line = lines.stream().filter(l -> l.contains(request)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + request + " in Pebble's log:\n" + String.join("\n", lines)));
        return LocalDateTime.parse(line.substring("Pebble ".length(), "Pebble ".length() + 19), PEBBLE_TIME);
    }
}
