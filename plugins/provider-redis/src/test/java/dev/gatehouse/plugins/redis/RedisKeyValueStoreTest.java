package dev.gatehouse.plugins.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.it.RedisServer;
import dev.gatehouse.plugins.kv.StoreRead;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a prefix from a real Redis within the read limits. */
class RedisKeyValueStoreTest {

    @TempDir
    Path dir;

    @Test
    void aValueOverTheLimitIsNotTransferredAndItsKeyIsNamed() throws Exception {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start()) {
            redis.setAll(Map.of("traefik/http/routers/small/rule", "Host(`small`)", "traefik/http/routers/big/service", "svc"));
            // A 2 MiB value, written without passing it on a command line: SETRANGE pads with zero bytes.
            redis.redisCli("SETRANGE", "traefik/http/routers/big/rule", Integer.toString(2 * 1024 * 1024 - 1), "x");
            redis.redisCli("HSET", "traefik/http/routers/hash/rule", "f", "v"); // not a string: skipped as before
            GatewayEnvironment environment = environment();
            RedisClientOptions options = new RedisClientOptions(List.of(redis.address()), null, null, null, null, null,
                    "providers.redis");
            try (RedisConnection connection = RedisConnection.open(options, environment);
                    RedisKeyValueStore store = new RedisKeyValueStore(connection)) {
                StoreRead read = store.readAll("traefik/");
                assertEquals(Map.of("traefik/http/routers/small/rule", "Host(`small`)",
                        "traefik/http/routers/big/service", "svc"), read.pairs());
                assertEquals(Map.of("traefik/http/routers/big/rule", "the value is 2 MiB; a value read from the store is "
                        + "limited to 1 MiB (keep large content, such as certificates, in files and give their paths)"),
                        read.oversized());
            }
        }
    }

    @Test
    void keysAndValuesUpToTheSnapshotLimitAreReadWhole() throws Exception {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start()) {
            // 20 values of 1,000,000 bytes: 20 MB, within the 32 MiB a read may gather (each value counted once).
            for (int i = 0; i < 20; i++) {
                redis.redisCli("SETRANGE", "traefik/http/middlewares/m" + i + "/headers/customRequestHeaders/x", "999999", "x");
            }
            RedisClientOptions options = new RedisClientOptions(List.of(redis.address()), null, null, null, null, null,
                    "providers.redis");
            try (RedisConnection connection = RedisConnection.open(options, environment());
                    RedisKeyValueStore store = new RedisKeyValueStore(connection)) {
                StoreRead read = store.readAll("traefik/");
                assertEquals(20, read.pairs().size());
                assertEquals(Map.of(), read.oversized());
            }
        }
    }

    @Test
    void throughSentinelTheMasterIsReadWhateverTheReadStrategy() throws Exception {
        // A replica lags behind the master that sends the notifications: reading one would miss the change just
        // notified. With no replica at all, a replica read strategy cannot read anything, which shows where reads go.
        try (RedisServer master = RedisServer.in(dir.resolve("redis")).start();
                RedisServer sentinel = RedisServer.sentinel(dir.resolve("sentinel"), "mymaster", master)) {
            master.set("traefik/http/routers/app/rule", "Host(`app`)");
            RedisClientOptions options = new RedisClientOptions(List.of(sentinel.address()), null, null, null, null,
                    new RedisClientOptions.Sentinel("mymaster", null, null, null, null, true, null), "providers.redis");
            try (RedisConnection connection = RedisConnection.open(options, environment());
                    RedisKeyValueStore store = new RedisKeyValueStore(connection)) {
                assertEquals(Map.of("traefik/http/routers/app/rule", "Host(`app`)"), store.readAll("traefik/").pairs());
            }
        }
    }

    private GatewayEnvironment environment() {
        return new GatewayEnvironment() {
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
    }
}
