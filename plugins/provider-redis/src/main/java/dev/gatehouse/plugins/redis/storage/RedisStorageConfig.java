package dev.gatehouse.plugins.redis.storage;

import dev.gatehouse.plugins.kv.ClientTls;
import dev.gatehouse.plugins.redis.RedisClientOptions;
import java.util.List;

/**
 * Options of the shared storage on Redis, under {@code storage.redis}: the Redis provider's connection options, and
 * the prefix of the storage's keys.
 *
 * <pre>{@code
 * storage:
 *   redis:
 *     endpoints: ["10.0.0.5:6379"]
 *     rootKey: gatehouse
 *     password: s3cret
 *     db: 0
 * }</pre>
 *
 * @param endpoints the Redis server (or the Sentinels); default {@code 127.0.0.1:6379}
 * @param rootKey the prefix of every key the storage writes; default {@code gatehouse}
 * @param username Redis ACL user
 * @param password the password
 * @param db the database; default 0
 * @param tls client TLS; absent means plain connections
 * @param sentinel find the master through Redis Sentinel
 */
public record RedisStorageConfig(List<String> endpoints, String rootKey, String username, String password, Integer db,
        ClientTls tls, RedisClientOptions.Sentinel sentinel) {

    public static final String DEFAULT_ROOT_KEY = "gatehouse";

    public RedisStorageConfig {
        endpoints = endpoints == null ? null : List.copyOf(endpoints);
        rootKey = rootKey == null || rootKey.isBlank() ? DEFAULT_ROOT_KEY : rootKey.strip();
    }

    RedisClientOptions clientOptions() {
        return new RedisClientOptions(endpoints, username, password, db, tls, sentinel, "storage.redis");
    }
}
