package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.dynamic.ProviderHealth;
import dev.gatehouse.testkit.TestBackend;
import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provider-redis plugin, loaded by PF4J from the plugins folder, against a real Redis of its own (RedisServer):
 * the shared KV behaviour ({@link KvProviderContract}), then Redis' TLS with client certificates, an ACL user, a
 * database other than 0, Sentinel, and the error when keyspace notifications are off.
 */
class RedisProviderTest extends KvProviderContract {

    private RedisServer redis;

    @Override
    String provider() {
        return "redis";
    }

    @Override
    void startStore(Path dir) throws Exception {
        redis = RedisServer.in(dir).start();
    }

    @Override
    String providerOptions() {
        return "endpoints: [\"" + redis.address() + "\"]";
    }

    @Override
    void put(Map<String, String> pairs) {
        redis.setAll(pairs);
    }

    @Override
    void delete(String key) {
        redis.delete(key);
    }

    @Override
    void stopStore() throws Exception {
        redis.stop();
    }

    @Override
    void restartStore() throws Exception {
        redis.start();
    }

    @Override
    void closeStore() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void tlsWithAClientCertificateAndAnAclUser() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("pki"));
        TestCertificates.Leaf server = ca.leafWithSubject("redis-server", "ec", "/CN=redis", "localhost,IP:127.0.0.1");
        TestCertificates.Leaf client = ca.leafWithSubject("redis-client", "ec", "/CN=gatehouse", "client");
        redis = RedisServer.in(dir.resolve("store")).tls(ca.caFile(), server.cert(), server.key(), client.cert(), client.key())
                .auth("gatehouse", "s3cret").start();
        try (TestBackend backend = TestBackend.start("secure");
                TestGateway gateway = gateway("""
                        endpoints: ["%s"]
                        username: gatehouse
                        password: s3cret
                        tls:
                          ca: %s
                          cert: %s
                          key: %s
                        """.formatted(redis.address(), ca.caFile(), client.cert(), client.key())).start()) {
            put(route("app", "app.kv.test", backend));
            awaitBody(gateway, "app.kv.test", "secure");
            assertTrue(health(gateway).up(), health(gateway).toString());
        } finally {
            closeStore();
        }
    }

    @Test
    void theConfiguredDatabaseIsReadAndWatched() throws Exception {
        startStore(dir.resolve("store"));
        try (TestBackend zero = TestBackend.start("db0"); TestBackend three = TestBackend.start("db3");
                TestGateway gateway = gateway("endpoints: [\"" + redis.address() + "\"]\ndb: 3").start()) {
            put(route("app", "app.kv.test", zero));
            List<String> args = new ArrayList<>(List.of("-n", "3", "MSET"));
            route("app", "app.kv.test", three).forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
            redis.redisCli(args.toArray(String[]::new));
            awaitBody(gateway, "app.kv.test", "db3");
            redis.redisCli("-n", "3", "SET", "traefik/http/routers/app/rule", "Host(`moved.kv.test`)");
            awaitBody(gateway, "moved.kv.test", "db3");
        } finally {
            closeStore();
        }
    }

    @Test
    void theMasterIsFoundThroughSentinel() throws Exception {
        startStore(dir.resolve("store"));
        try (RedisServer sentinel = RedisServer.sentinel(dir.resolve("sentinel"), "mymaster", redis);
                TestBackend backend = TestBackend.start("through-sentinel");
                TestGateway gateway = gateway("""
                        endpoints: ["%s"]
                        sentinel:
                          masterName: mymaster
                        """.formatted(sentinel.address())).start()) {
            put(route("app", "app.kv.test", backend));
            awaitBody(gateway, "app.kv.test", "through-sentinel");
        } finally {
            closeStore();
        }
    }

    @Test
    void notificationsOffStopTheProviderWithTheSettingToChange() throws Exception {
        redis = RedisServer.in(dir.resolve("store")).notifyKeyspaceEvents("").start();
        try (TestGateway gateway = gateway(providerOptions()).start()) {
            ProviderHealth.Status status = health(gateway);
            assertEquals(ProviderHealth.State.FAILED, status.state(), status.toString());
            assertTrue(status.problem().contains("notify-keyspace-events")
                    && status.problem().contains("CONFIG SET notify-keyspace-events KEA"), status.problem());
        } finally {
            closeStore();
        }
    }
}
