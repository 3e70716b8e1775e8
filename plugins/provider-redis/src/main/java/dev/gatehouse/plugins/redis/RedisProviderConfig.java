package dev.gatehouse.plugins.redis;

import dev.gatehouse.plugins.kv.ClientTls;
import java.util.List;

/**
 * Options of the Redis provider, under {@code providers.redis}, with Traefik's names and defaults.
 *
 * <pre>{@code
 * providers:
 *   redis:
 *     endpoints: ["10.0.0.5:6379"]
 *     rootKey: traefik
 *     username: gatehouse
 *     password: s3cret
 *     db: 0
 *     tls:
 *       ca: /etc/gatehouse/redis-ca.pem
 *     sentinel:               # endpoints are then the Sentinels
 *       masterName: mymaster
 * }</pre>
 *
 * @param endpoints the Redis server (or the Sentinels); default {@code 127.0.0.1:6379}
 * @param rootKey the prefix the configuration lives under; default {@code traefik}
 * @param username Redis ACL user
 * @param password the password
 * @param db the database; default 0
 * @param tls client TLS; absent means plain connections
 * @param sentinel find the master through Redis Sentinel
 */
public record RedisProviderConfig(List<String> endpoints, String rootKey, String username, String password, Integer db,
        ClientTls tls, RedisClientOptions.Sentinel sentinel) {

    /** Traefik's default root key. */
    public static final String DEFAULT_ROOT_KEY = "traefik";

    public RedisProviderConfig {
        endpoints = endpoints == null ? null : List.copyOf(endpoints);
        rootKey = rootKey == null || rootKey.isBlank() ? DEFAULT_ROOT_KEY : rootKey.strip();
    }

    /** All defaults: what {@code providers.redis: {}} gives. */
    public static RedisProviderConfig defaults() {
        return new RedisProviderConfig(null, null, null, null, null, null, null);
    }

    /** How to reach Redis, as the connection takes it. */
    public RedisClientOptions clientOptions() {
        return new RedisClientOptions(endpoints, username, password, db, tls, sentinel, "providers.redis");
    }
}
