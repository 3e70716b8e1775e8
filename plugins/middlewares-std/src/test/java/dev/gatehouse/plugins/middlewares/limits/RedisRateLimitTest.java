package dev.gatehouse.plugins.middlewares.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.it.Poll;
import dev.gatehouse.it.RedisServer;
import dev.gatehouse.it.ServerProcess;
import dev.gatehouse.it.TestPki;
import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import dev.gatehouse.plugins.middlewares.TestEnvironment;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import dev.gatehouse.api.GatewayEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rateLimit} with {@code redis}, against a real Redis: two gateway instances (two middleware instances, each
 * with its own in-memory buckets and its own Redis connection) share one limit; TLS with a client certificate and an
 * ACL user; Redis stopped, paused or refusing the credentials; connections given back on reload.
 *
 * <p>The buckets refill slowly (6 in 10 minutes), so the counts do not depend on how fast this machine sends: at most a
 * token or two comes back during a test.
 */
class RedisRateLimitTest {

    private static final SourceCriterion.Config BY_HEADER = new SourceCriterion.Config(null, "X-Client", null);
    private static final Duration SLOW_PERIOD = Duration.ofMinutes(10);

    /** The gateway's environment, reading a client certificate (PEM files, PKCS#8 EC key) as the gateway does. */
    private static final GatewayEnvironment ENVIRONMENT = new GatewayEnvironment() {
        private final TestEnvironment paths = new TestEnvironment();

        @Override
        public String version() {
            return paths.version();
        }

        @Override
        public Path home() {
            return paths.home();
        }

        @Override
        public Path resolve(String path) {
            return paths.resolve(path);
        }

        @Override
        public KeyManager[] clientCertificate(String cert, String key) throws IOException, GeneralSecurityException {
            Certificate[] chain;
            try (InputStream in = Files.newInputStream(Path.of(cert))) {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new Certificate[0]);
            }
            String pem = Files.readString(Path.of(key)).replaceAll("-----[A-Z ]+-----|\\s", "");
            PrivateKey privateKey = KeyFactory.getInstance("EC")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", privateKey, "client".toCharArray(), chain);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, "client".toCharArray());
            return factory.getKeyManagers();
        }
    };

    @TempDir
    Path dir;

    @Test
    void twoInstancesTogetherLetThroughOneBurstWhereTheirOwnBucketsLetThroughTwo() throws Exception {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start()) {
            // Different timeouts: two settings, so each instance has its own connection, as two processes would.
            RateLimit.Redis first = redis(redis.address(), null, null, null, Duration.ofSeconds(3));
            RateLimit.Redis second = redis(redis.address(), null, null, null, Duration.ofSeconds(4));
            int shared = allowedThroughTwoInstances(first, second, "shared");
            assertTrue(shared >= 20 && shared <= 22, "burst 20 shared by both instances, let through: " + shared);
            int own = allowedThroughTwoInstances(null, null, "own");
            assertTrue(own >= 40 && own <= 42, "burst 20 in each instance's memory, let through: " + own);
            String bucket = redis.redisCli("HGET", "rate:limit@file:shared", "tokens").strip();
            assertTrue(Double.parseDouble(bucket) < 1, "the bucket in Redis is empty: " + bucket);
        }
    }

    /** 30 requests through each of two instances, one after the other in turn; returns how many got 200. */
    private static int allowedThroughTwoInstances(RateLimit.Redis first, RateLimit.Redis second, String client)
            throws Exception {
        try (MiddlewareTester a = new MiddlewareTester(limiter(6, 20, first));
                MiddlewareTester b = new MiddlewareTester(limiter(6, 20, second))) {
            int allowed = 0;
            for (int i = 0; i < 30; i++) {
                for (MiddlewareTester instance : List.of(a, b)) {
                    int status = instance.get("/", "X-Client: " + client).getStatus();
                    assertTrue(status == 200 || status == 429, "status " + status);
                    allowed += status == 200 ? 1 : 0;
                }
            }
            return allowed;
        }
    }

    @Test
    void sharesTheLimitOverTlsWithAClientCertificateAndAnAclUser() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        try (RedisServer redis = RedisServer.in(dir.resolve("redis"))
                .tls(pki.ca, pki.server, pki.serverKey, pki.client, pki.clientKey).auth("limiter", "s3cret").start()) {
            RateLimit.Redis tls = new RateLimit.Redis(List.of(redis.address()), "limiter", "s3cret", 2,
                    new RateLimit.RedisTls(pki.ca.toString(), pki.client.toString(), pki.clientKey.toString(), null),
                    null, null, null, null, null, null);
            // The CA as PEM text rather than a file, as Traefik's tls.ca also takes it.
            RateLimit.Redis inlineCa = new RateLimit.Redis(List.of(redis.address()), "limiter", "s3cret", 2,
                    new RateLimit.RedisTls(Files.readString(pki.ca), pki.client.toString(), pki.clientKey.toString(), null),
                    null, null, null, null, null, null);
            long before = RedisLimits.decisionsWithoutRedis();
            try (MiddlewareTester a = new MiddlewareTester(limiter(6, 2, tls));
                    MiddlewareTester b = new MiddlewareTester(limiter(6, 2, inlineCa))) {
                assertEquals(200, a.get("/", "X-Client: c").getStatus());
                assertEquals(200, b.get("/", "X-Client: c").getStatus());
                assertEquals(429, a.get("/", "X-Client: c").getStatus(), "the burst of 2 is used up by both together");
                assertEquals(429, b.get("/", "X-Client: c").getStatus());
            }
            assertEquals(before, RedisLimits.decisionsWithoutRedis(), "every decision was Redis's");
            assertEquals("1", redis.redisCli("-n", "2", "EXISTS", "rate:limit@file:c").strip(), "the bucket is in db 2");

            RateLimit.Redis wrongPassword = new RateLimit.Redis(List.of(redis.address()), "limiter", "wrong", 2, tls.tls(),
                    null, null, null, null, null, null);
            try (MiddlewareTester refused = new MiddlewareTester(limiter(6, 2, wrongPassword))) {
                assertEquals(200, refused.get("/", "X-Client: c").getStatus(),
                        "Redis refuses the credentials: this instance's own bucket (still full) decides");
            }
            assertTrue(RedisLimits.decisionsWithoutRedis() > before, "counted as decided without Redis");
        }
    }

    @Test
    void aReloadAfterTheClientCertificateFilesWereReplacedConnectsWithTheNewOnes() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        TestPki untrusted = new TestPki(dir.resolve("other-ca"));
        Path cert = dir.resolve("redis-client.pem");
        Path key = dir.resolve("redis-client-key.pem");
        Files.copy(untrusted.client, cert);
        Files.copy(untrusted.clientKey, key);
        try (RedisServer redis = RedisServer.in(dir.resolve("redis"))
                .tls(pki.ca, pki.server, pki.serverKey, pki.client, pki.clientKey).start()) {
            RateLimit.Redis settings = new RateLimit.Redis(List.of(redis.address()), null, null, null,
                    new RateLimit.RedisTls(pki.ca.toString(), cert.toString(), key.toString(), null),
                    null, null, null, null, null, Duration.ofSeconds(2));
            Server server = new Server();
            Handler.Wrapper expired = limiter(6, 2, settings);
            expired.setServer(server);
            expired.start();
            long before = RedisLimits.decisionsWithoutRedis();
            try (MiddlewareTester first = new MiddlewareTester(limiter(6, 2, settings))) {
                assertEquals(200, first.get("/", "X-Client: r").getStatus());
                assertEquals(before + 1, RedisLimits.decisionsWithoutRedis(), "Redis refuses a certificate of another CA");
            }

            // The certificate is renewed in place, then the configuration reloaded: its new limiter starts before the
            // old one stops, as on every reload.
            Files.copy(pki.client, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(pki.clientKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (MiddlewareTester reloaded = new MiddlewareTester(limiter(6, 2, settings))) {
                expired.stop();
                long afterRenewal = RedisLimits.decisionsWithoutRedis();
                assertEquals(200, reloaded.get("/", "X-Client: r").getStatus());
                assertEquals(afterRenewal, RedisLimits.decisionsWithoutRedis(), "decided by Redis with the new certificate");
                assertEquals("1", redis.redisCli("EXISTS", "rate:limit@file:r").strip());
            }
        }
    }

    @Test
    void aSourceOfSixteenKibibytesIsKeptUnderABoundedKeyAndStaysDistinct() throws Exception {
        String longA = "a".repeat(16 * 1024);
        String longB = "a".repeat(16 * 1024 - 1) + "b";
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start();
                MiddlewareTester shared = new MiddlewareTester(limiter(6, 1, redis(redis.address(), null, null, null,
                        null)));
                MiddlewareTester own = new MiddlewareTester(limiter(6, 1, null))) {
            long before = RedisLimits.decisionsWithoutRedis();
            for (MiddlewareTester gateway : List.of(shared, own)) {
                assertEquals(200, gateway.get("/", "X-Client: " + longA).getStatus());
                assertEquals(429, gateway.get("/", "X-Client: " + longA).getStatus(), "the same long source, one bucket");
                assertEquals(200, gateway.get("/", "X-Client: " + longB).getStatus(), "another long source, its own bucket");
                assertEquals(200, gateway.get("/", "X-Client: short").getStatus());
            }
            assertEquals(before, RedisLimits.decisionsWithoutRedis(), "every shared decision was Redis's");
            List<String> keys = redis.redisCli("KEYS", "rate:*").lines().map(String::strip).filter(k -> !k.isEmpty())
                    .sorted().toList();
            assertEquals(3, keys.size(), keys.toString());
            assertTrue(keys.contains("rate:limit@file:short"), "a short source is kept as it is, as in Traefik: " + keys);
            assertTrue(keys.stream().filter(k -> !k.endsWith(":short"))
                    .allMatch(k -> k.matches("rate:limit@file:sha256:[0-9a-f]{64}")), keys.toString());
        }
        assertEquals("x".repeat(SourceKeys.MAX_BYTES), SourceKeys.bounded("x".repeat(SourceKeys.MAX_BYTES)));
        assertTrue(SourceKeys.bounded("x".repeat(SourceKeys.MAX_BYTES + 1)).startsWith("sha256:"));
        assertTrue(SourceKeys.bounded("\u00e9".repeat(SourceKeys.MAX_BYTES / 2 + 1)).startsWith("sha256:"),
                "counted in bytes of UTF-8, not characters");
    }

    @Test
    void redisStoppedMidTestLimitsWithEachInstancesOwnBucketsThenSharesAgainWhenBack() throws Exception {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start();
                MiddlewareTester gateway = new MiddlewareTester(limiter(6, 3, redis(redis.address(), null, null, null,
                        Duration.ofMillis(500))))) {
            assertEquals(200, gateway.get("/", "X-Client: d").getStatus());
            assertEquals("1", redis.redisCli("EXISTS", "rate:limit@file:d").strip());
            redis.delete("rate:limit@file:d");

            redis.stop();
            long before = RedisLimits.decisionsWithoutRedis();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                statuses.add(gateway.get("/", "X-Client: d").getStatus());
            }
            // The instance's own bucket (burst 3) took over: no 500, and no request let through beyond it.
            assertEquals(List.of(200, 200, 200, 429, 429), statuses);
            assertEquals(before + 5, RedisLimits.decisionsWithoutRedis(), "each decision without Redis is counted");

            redis.start();
            Poll.until("decisions through Redis again", Duration.ofSeconds(20), () -> {
                long without = RedisLimits.decisionsWithoutRedis();
                gateway.get("/", "X-Client: e");
                return RedisLimits.decisionsWithoutRedis() == without;
            }, () -> "still deciding without Redis");
            assertEquals("1", redis.redisCli("EXISTS", "rate:limit@file:e").strip(), "the bucket is in Redis again");
        }
    }

    @Test
    void aRedisThatLostTheScriptIsGivenItAgain() throws Exception {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start();
                MiddlewareTester gateway = new MiddlewareTester(limiter(6, 2, redis(redis.address(), null, null, null,
                        null)))) {
            long before = RedisLimits.decisionsWithoutRedis();
            assertEquals(200, gateway.get("/", "X-Client: g").getStatus());
            redis.redisCli("SCRIPT", "FLUSH");   // as after a restart without persistence, or a failover
            assertEquals(200, gateway.get("/", "X-Client: g").getStatus());
            assertEquals(429, gateway.get("/", "X-Client: g").getStatus(), "the burst of 2 is used up in Redis");
            assertEquals(before, RedisLimits.decisionsWithoutRedis(), "every decision was Redis's");
            assertEquals("1", redis.redisCli("SCRIPT", "EXISTS", RedisBuckets.SCRIPT_SHA).strip());
        }
    }

    @Test
    void redisTooSlowBeyondTheTimeoutsIsDecidedWithoutIt() throws Exception {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start();
                MiddlewareTester gateway = new MiddlewareTester(limiter(6, 3, redis(redis.address(), null,
                        Duration.ofMillis(200), Duration.ofMillis(200), null)))) {
            assertEquals(200, gateway.get("/", "X-Client: f").getStatus());
            long before = RedisLimits.decisionsWithoutRedis();
            redis.redisCli("CLIENT", "PAUSE", "1500", "ALL");
            assertEquals(200, gateway.get("/", "X-Client: f").getStatus(), "not 500: this instance's own bucket decides");
            assertEquals(before + 1, RedisLimits.decisionsWithoutRedis());
        }
    }

    @Test
    void aReloadKeepsTheConnectionOfUnchangedSettingsAndTheLastStopClosesIt() throws Exception {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start()) {
            int before = RedisLimits.openClients();
            Server server = new Server();
            RateLimit.Redis settings = redis(redis.address(), null, null, null, null);
            Handler.Wrapper running = limiter(6, 3, settings);
            running.setServer(server);
            running.start();
            assertEquals(before + 1, RedisLimits.openClients());
            for (int reload = 0; reload < 20; reload++) {
                // Unchanged settings: the new configuration's limiter starts before the old one stops.
                Handler.Wrapper next = limiter(6, 3, reload % 2 == 0 ? settings
                        : redis(redis.address(), null, null, null, Duration.ofSeconds(4)));
                next.setServer(server);
                next.start();
                running.stop();
                running = next;
                assertEquals(before + 1, RedisLimits.openClients(), "one client per setting in use, reload " + reload);
            }
            running.stop();
            assertEquals(before, RedisLimits.openClients());
            if (before == 0) {
                Poll.until("lettuce's threads stopped", Duration.ofSeconds(15), () -> Thread.getAllStackTraces().keySet()
                        .stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("lettuce-")), () -> "still running: "
                        + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("lettuce-")).toList());
            }
        }
    }

    @Test
    void severalEndpointsAreTheNodesOfARedisClusterThatHoldsTheSharedBuckets() throws Exception {
        List<ClusterNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                ClusterNode node = new ClusterNode(dir.resolve("node" + i));
                nodes.add(node);
                node.start();
            }
            List<String> addresses = nodes.stream().map(ClusterNode::address).toList();
            nodes.get(0).cli(java.util.stream.Stream.concat(java.util.stream.Stream.of("--cluster", "create"),
                    java.util.stream.Stream.concat(addresses.stream(), java.util.stream.Stream.of("--cluster-yes"))).toList());
            Poll.until("the cluster is ready", Duration.ofSeconds(20),
                    () -> nodes.stream().allMatch(n -> n.cli(List.of("CLUSTER", "INFO")).contains("cluster_state:ok")));
            RateLimit.Redis first = new RateLimit.Redis(addresses, null, null, null, null, null, null, null, null, null, null);
            RateLimit.Redis second = new RateLimit.Redis(List.of(addresses.get(2), addresses.get(0)), null, null, null, null,
                    null, null, null, Duration.ofSeconds(4), null, null);
            long before = RedisLimits.decisionsWithoutRedis();
            int allowed = 0;
            try (MiddlewareTester a = new MiddlewareTester(limiter(6, 1, first));
                    MiddlewareTester b = new MiddlewareTester(limiter(6, 1, second))) {
                for (int client = 0; client < 12; client++) {
                    for (MiddlewareTester instance : List.of(a, b, a, b)) {
                        allowed += instance.get("/", "X-Client: c" + client).getStatus() == 200 ? 1 : 0;
                    }
                }
            }
            assertEquals(12, allowed, "one token per client, shared by both instances");
            assertEquals(before, RedisLimits.decisionsWithoutRedis(), "every decision was the cluster's");
            List<Integer> keysPerNode = nodes.stream().map(n -> Integer.parseInt(n.cli(List.of("DBSIZE")).strip())).toList();
            assertEquals(12, keysPerNode.stream().mapToInt(Integer::intValue).sum(), keysPerNode.toString());
            assertTrue(keysPerNode.stream().filter(k -> k > 0).count() > 1, "the buckets are spread over the nodes: "
                    + keysPerNode);
        } finally {
            for (ClusterNode node : nodes) {
                node.close();
            }
        }
    }

    /** A Redis Cluster node (Debian's redis-server with cluster-enabled) on its own port and folder. */
    static final class ClusterNode extends ServerProcess {
        private final String redisServer = binary("redis-server", "redis-server");
        private final String redisCli = binary("redis-cli", "redis-tools");
        private final int port = freePort();

        ClusterNode(Path dir) {
            super(dir);
        }

        String address() {
            return "127.0.0.1:" + port;
        }

        @Override
        protected int readyPort() {
            return port;
        }

        @Override
        protected List<String> command() {
            return List.of(redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                    "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString(),
                    "--save", "", "--appendonly", "no");
        }

        String cli(List<String> args) {
            List<String> command = new ArrayList<>(List.of(redisCli, "-h", "127.0.0.1", "-p", Integer.toString(port)));
            command.addAll(args);
            return run(command, null);
        }
    }

    @Test
    void invalidRedisOptionsNameTheOption() {
        IllegalArgumentException endpoint = assertThrows(IllegalArgumentException.class,
                () -> limiter(6, 3, redis("redis.example.com", null, null, null, null)));
        assertTrue(endpoint.getMessage().contains("'redis.endpoints[0]'"), endpoint.getMessage());
        IllegalArgumentException cluster = assertThrows(IllegalArgumentException.class, () -> limiter(6, 3,
                new RateLimit.Redis(List.of("a:6379", "b:6379"), null, null, 1, null, null, null, null, null, null, null)));
        assertTrue(cluster.getMessage().contains("'redis.db' must be 0 with several endpoints"), cluster.getMessage());
        IllegalArgumentException second = assertThrows(IllegalArgumentException.class, () -> limiter(6, 3,
                new RateLimit.Redis(List.of("a:6379", "b"), null, null, null, null, null, null, null, null, null, null)));
        assertTrue(second.getMessage().contains("'redis.endpoints[1]'"), second.getMessage());
        IllegalArgumentException db = assertThrows(IllegalArgumentException.class, () -> limiter(6, 3,
                new RateLimit.Redis(null, null, null, -1, null, null, null, null, null, null, null)));
        assertTrue(db.getMessage().contains("'redis.db'"), db.getMessage());
        IllegalArgumentException pool = assertThrows(IllegalArgumentException.class, () -> limiter(6, 3,
                new RateLimit.Redis(null, null, null, null, null, -1, null, null, null, null, null)));
        assertTrue(pool.getMessage().contains("'redis.poolSize'"), pool.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class, () -> limiter(6, 3,
                new RateLimit.Redis(null, null, null, null, new RateLimit.RedisTls(null, "client.pem", null, null),
                        null, null, null, null, null, null)));
        assertTrue(key.getMessage().contains("'redis.tls.cert' and 'redis.tls.key' go together"), key.getMessage());
    }

    private static RateLimit.Redis redis(String endpoint, String password, Duration readTimeout, Duration writeTimeout,
            Duration dialTimeout) {
        return new RateLimit.Redis(List.of(endpoint), null, password, null, null, null, null, null, readTimeout,
                writeTimeout, dialTimeout);
    }

    /** {@code rateLimit} named {@code limit@file}: {@code average} in 10 minutes, by the X-Client header. */
    private static Handler.Wrapper limiter(long average, long burst, RateLimit.Redis redis) throws Exception {
        return new RateLimit(ENVIRONMENT).create(
                new RateLimit.Config(average, SLOW_PERIOD, burst, BY_HEADER, redis), new MiddlewareContext() {
                    @Override
                    public Handler service(String name) {
                        throw new IllegalArgumentException("no services here");
                    }

                    @Override
                    public String middlewareName() {
                        return "limit@file";
                    }
                });
    }
}
