package dev.gatehouse.plugins.redis.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.it.RedisServer;
import dev.gatehouse.plugins.redis.RedisConnection;
import dev.gatehouse.testkit.StorageContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared storage on a real Redis: the contract every backend keeps (its watch works with keyspace notifications
 * off, as Redis starts by default), and where its keys and locks live.
 */
class RedisStorageTest extends StorageContract {

    @TempDir
    static Path dir;
    private static RedisServer redis;
    private final Map<StorageBackend.Connected, RedisConnection> connections = new IdentityHashMap<>();

    static final GatewayEnvironment ENVIRONMENT = new GatewayEnvironment() {
        @Override
        public String version() {
            return "test";
        }

        @Override
        public Path home() {
            return dir;
        }

        @Override
        public Path resolve(String path) {
            return dir.resolve(path);
        }
    };

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.in(dir.resolve("redis")).notifyKeyspaceEvents("").start();
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected StorageBackend.Connected connect() {
        RedisStorageConfig config = new RedisStorageConfig(List.of(redis.address()), "gatehouse-test", null, null, null,
                null, null);
        RedisConnection connection = RedisConnection.open(config.clientOptions(), ENVIRONMENT);
        RedisStorage storage = new RedisStorage(connection, config.rootKey());
        connections.put(storage, connection);
        return storage;
    }

    @Override
    protected void crash(StorageBackend.Connected store) {
        connections.get(store).close();   // no renewal reaches Redis any more, as with a killed process
    }

    @Test
    void entriesAndLocksAreKeysBelowTheRootKeyAndALockHasAnExpiry() throws Exception {
        try (StorageBackend.Connected storage = new RedisStorageBackend(ENVIRONMENT)
                .connect(new RedisStorageConfig(List.of(redis.address()), "shared", null, null, null, null, null))) {
            storage.put("acme/le/account/url", "https://ca/acct/1".getBytes(StandardCharsets.UTF_8));
            assertEquals("https://ca/acct/1", redis.get("shared/acme/le/account/url"));
            try (var lock = storage.tryLock("acme/le/order/a.example.test", LOCK_TTL).orElseThrow()) {
                assertNotNull(redis.get("shared/locks/acme/le/order/a.example.test"));
                long ttl = Long.parseLong(redis.redisCli("PTTL", "shared/locks/acme/le/order/a.example.test").strip());
                assertTrue(ttl > 0 && ttl <= LOCK_TTL.toMillis(), "PTTL " + ttl);
            }
            assertEquals(List.of("acme/le/account/url"), storage.list("acme/"), "locks are not entries");
        }
    }

    @Test
    void anEntryGoneWhileTheWatchWasDisconnectedIsReportedDeletedOnceItReconnects() throws Exception {
        try (StorageBackend.Connected watching = connect(); StorageBackend.Connected writing = connect()) {
            java.util.Map<String, java.util.Optional<String>> seen = new java.util.concurrent.ConcurrentHashMap<>();
            try (var watch = watching.watch("acme/le/challenges/", (key, value) -> seen.put(key,
                    java.util.Optional.ofNullable(value).map(v -> new String(v, StandardCharsets.UTF_8)))).orElseThrow()) {
                writing.put("acme/le/challenges/http/t3", "t3.thumbprint".getBytes(StandardCharsets.UTF_8));
                dev.gatehouse.it.Poll.until("the write is reported", java.time.Duration.ofSeconds(10),
                        () -> java.util.Optional.of("t3.thumbprint").equals(seen.get("acme/le/challenges/http/t3")));
                // Gone without a message on the changes channel (as an expiry goes), then the watch's connection drops.
                redis.redisCli("DEL", "gatehouse-test/acme/le/challenges/http/t3");
                redis.redisCli("CLIENT", "KILL", "TYPE", "pubsub");
                dev.gatehouse.it.Poll.until("the deletion is reported after the reconnection", java.time.Duration.ofSeconds(20),
                        () -> java.util.Optional.empty().equals(seen.get("acme/le/challenges/http/t3")));
            }
        }
    }
}
