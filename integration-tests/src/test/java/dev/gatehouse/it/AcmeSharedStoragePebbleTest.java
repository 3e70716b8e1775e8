package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways sharing one store (a real etcd, a real Redis) and one real Pebble (test.sh's; skipped without it): one
 * order per domain, both serve the same certificate, and the CA's HTTP-01 validation succeeds when it reaches the
 * gateway that did not order. Only gateway "answering" listens on the port Pebble validates on
 * (IT_PEBBLE_HTTP_PORT), so an order by gateway "ordering" is validated by the other one, from the challenge it
 * found in the store. Private keys are stored encrypted (storage.encryptionKey, given as an environment variable).
 */
class AcmeSharedStoragePebbleTest {

    private static final String DIRECTORY = System.getenv("IT_PEBBLE_DIRECTORY");
    private static final Duration ISSUE_WAIT = Duration.ofSeconds(120);
    private static TrustManager[] trustingPebbleRoot;

    @TempDir
    Path dir;

    @BeforeAll
    static void pebbleRoot() throws Exception {
        assumeTrue(DIRECTORY != null, "Pebble is not running (test.sh starts it)");
        trustingPebbleRoot = PebbleRoot.trustManagers("IT_PEBBLE");
    }

    private static String staticConfig(int web, int websecure, String storage) {
        return """
                entryPoints:
                  web:
                    address: "127.0.0.1:%d"
                  websecure:
                    address: "127.0.0.1:%d"
                providers:
                  providersThrottleDuration: 200ms
                  file:
                    directory: dynamic
                storage:
                %s
                certificatesResolvers:
                  le:
                    acme:
                      email: ops@example.com
                      caServer: %s
                      storage: acme.json
                      caCertificates: [%s]
                      httpChallenge:
                        entryPoint: web
                """.formatted(web, websecure, storage.indent(2).stripTrailing(), DIRECTORY, System.getenv("IT_PEBBLE_CA"));
    }

    private static String routers(String backend, String... hosts) {
        StringBuilder yaml = new StringBuilder("http:\n  routers:\n");
        for (String host : hosts) {
            yaml.append("    r-").append(host.replace('.', '-')).append(":\n")
                    .append("      rule: Host(`").append(host).append("`)\n")
                    .append("      service: app\n      entryPoints: [websecure]\n")
                    .append("      tls:\n        certResolver: le\n");
        }
        return yaml.append("""
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(backend)).toString();
    }

    private static long ordersAtPebble() throws Exception {
        return Files.readAllLines(Path.of(System.getenv("IT_PEBBLE_LOG"))).stream().filter(l -> l.contains("/order-plz")).count();
    }

    /** Waits until {@code port} serves {@code host} a certificate from Pebble; returns the leaf. */
    private static X509Certificate awaitServed(int port, String host) throws Exception {
        return Poll.untilValue("a certificate from Pebble for " + host + " on port " + port, ISSUE_WAIT, () -> {
            SSLContext context = SSLContext.getInstance("TLS");   // new each time: no resumed session
            context.init(null, trustingPebbleRoot, null);
            TestCertificates.Handshake handshake = TestCertificates.handshake(context, port, host, null, null,
                    "GET / HTTP/1.1\r\nHost: " + host);
            return handshake.response().startsWith("HTTP/1.1 200") ? handshake.peer() : null;
        }, peer -> peer != null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"etcd", "redis"})
    void twoGatewaysOrderEachCertificateOnceServeItBothAndAnswerEachOthersValidation(String store) throws Exception {
        String encryptionKey = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
        String suffix = store + "-" + Long.toHexString(System.nanoTime()) + ".acme.test";
        String first = "first-" + suffix;
        String raced = "raced-" + suffix;
        try (AutoCloseable server = store.equals("etcd") ? EtcdServer.in(dir.resolve("etcd")).start()
                        : RedisServer.in(dir.resolve("redis")).start();
             TestBackend backend = TestBackend.echo("app")) {
            String storage = store.equals("etcd")
                    ? "etcd:\n  endpoints: [\"" + ((EtcdServer) server).address() + "\"]\n"
                    : "redis:\n  endpoints: [\"" + ((RedisServer) server).address() + "\"]\n";
            Function<String, String> raw = key -> store.equals("etcd") ? ((EtcdServer) server).get("gatehouse/" + key)
                    : ((RedisServer) server).get("gatehouse/" + key);
            int answeringTls = Gateways.freePort();
            int orderingTls = Gateways.freePort();
            try (TestGateway answering = Gateways.withDynamic(dir.resolve("answering"), routers(backend.url()))
                         .staticConfig(staticConfig(Integer.parseInt(System.getenv("IT_PEBBLE_HTTP_PORT")), answeringTls, storage))
                         .env("GATEHOUSE_STORAGE_ENCRYPTIONKEY", encryptionKey).start();
                 TestGateway ordering = Gateways.withDynamic(dir.resolve("ordering"), routers(backend.url()))
                         .staticConfig(staticConfig(Gateways.freePort(), orderingTls, storage))
                         .env("GATEHOUSE_STORAGE_ENCRYPTIONKEY", encryptionKey).start()) {
                // Only "ordering" wants the first domain: it orders, and Pebble's validation reaches "answering".
                long before = ordersAtPebble();
                ordering.writeDynamic("test.yml", routers(backend.url(), first));
                X509Certificate orderedThere = awaitServed(orderingTls, first);
                assertEquals(1, ordersAtPebble() - before, "one order for " + first);

                // "answering" then wants it too: it finds it in the store and orders nothing.
                answering.writeDynamic("test.yml", routers(backend.url(), first));
                assertEquals(orderedThere.getSerialNumber(), awaitServed(answeringTls, first).getSerialNumber());

                // Both want the next domain at the same moment: still one order, one certificate for both.
                long beforeRace = ordersAtPebble();
                answering.writeDynamic("test.yml", routers(backend.url(), first, raced));
                ordering.writeDynamic("test.yml", routers(backend.url(), first, raced));
                X509Certificate racedHere = awaitServed(answeringTls, raced);
                assertEquals(racedHere.getSerialNumber(), awaitServed(orderingTls, raced).getSerialNumber());
                assertEquals(1, ordersAtPebble() - beforeRace, "one order for " + raced + " from two gateways");
                assertEquals(orderedThere.getSerialNumber(), awaitServed(orderingTls, first).getSerialNumber(),
                        "the first certificate was not ordered again");

                // Private keys in the store: encrypted, not PEM.
                for (String key : new String[] {"acme/le/keys/" + first, "acme/le/keys/" + raced, "acme/le/account/key"}) {
                    String value = raw.apply(key);
                    assertTrue(value != null && value.startsWith("gatehouse-aes256gcm:"), key + ": " + value);
                    assertFalse(value.contains("PRIVATE KEY"), key + ": " + value);
                }
                assertTrue(raw.apply("acme/le/certificates/" + first).contains("BEGIN CERTIFICATE"),
                        "certificates are stored as they are");
                assertFalse(Files.exists(dir.resolve("answering/acme.json")), "nothing is kept in a local file");
            }
        }
    }

    /**
     * A gateway that starts while its store is down starts its resolver anyway and, once the store answers, obtains
     * and serves the certificate (rather than leaving the resolver out until a restart).
     */
    @org.junit.jupiter.api.Test
    void aGatewayStartedWhileTheStoreIsDownObtainsItsCertificateOnceTheStoreIsBack() throws Exception {
        String host = "late-" + Long.toHexString(System.nanoTime()) + ".acme.test";
        int tls = Gateways.freePort();
        try (EtcdServer etcd = EtcdServer.in(dir.resolve("etcd")).start();
             TestBackend backend = TestBackend.echo("app")) {
            etcd.stop();
            try (TestGateway gateway = Gateways.withDynamic(dir.resolve("gw"), routers(backend.url(), host))
                    .staticConfig(staticConfig(Integer.parseInt(System.getenv("IT_PEBBLE_HTTP_PORT")), tls,
                            "etcd:\n  endpoints: [\"" + etcd.address() + "\"]\n")).start()) {
                Poll.until("the resolver reports the store down", Duration.ofSeconds(30),
                        () -> !gateway.logLines("storage cannot be read now").isEmpty(), gateway::logs);
                assertTrue(gateway.logLines("left out").isEmpty(), gateway.logs());
                etcd.start();
                X509Certificate served = awaitServed(tls, host);
                assertEquals(java.util.List.of(host), TestCertificates.subjectAlternativeNames(served));
                assertTrue(etcd.get("gatehouse/acme/le/certificates/" + host).contains("BEGIN CERTIFICATE"));
            }
        }
    }
}
