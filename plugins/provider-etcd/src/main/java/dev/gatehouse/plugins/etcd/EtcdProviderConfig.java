package dev.gatehouse.plugins.etcd;

import dev.gatehouse.plugins.kv.ClientTls;
import java.util.List;

/**
 * Options of the etcd provider, under {@code providers.etcd}, with Traefik's names and defaults.
 *
 * <pre>{@code
 * providers:
 *   etcd:
 *     endpoints: ["10.0.0.5:2379", "10.0.0.6:2379"]
 *     rootKey: traefik
 *     username: gatehouse
 *     password: s3cret
 *     tls:
 *       ca: /etc/gatehouse/etcd-ca.pem
 *       cert: /etc/gatehouse/etcd-client.pem
 *       key: /etc/gatehouse/etcd-client-key.pem
 * }</pre>
 *
 * @param endpoints the cluster's members; default {@code 127.0.0.1:2379}
 * @param rootKey the prefix the configuration lives under; default {@code traefik}
 * @param username etcd user, with {@code password}
 * @param password that user's password
 * @param tls client TLS; absent means plain connections
 */
public record EtcdProviderConfig(List<String> endpoints, String rootKey, String username, String password, ClientTls tls) {

    /** Traefik's default root key. */
    public static final String DEFAULT_ROOT_KEY = "traefik";

    public EtcdProviderConfig {
        endpoints = endpoints == null ? null : List.copyOf(endpoints);
        rootKey = rootKey == null || rootKey.isBlank() ? DEFAULT_ROOT_KEY : rootKey.strip();
    }

    /** All defaults: what {@code providers.etcd: {}} gives. */
    public static EtcdProviderConfig defaults() {
        return new EtcdProviderConfig(null, null, null, null, null);
    }

    /** How to reach etcd, as the connection takes it. */
    public EtcdClientOptions clientOptions() {
        return new EtcdClientOptions(endpoints, username, password, tls, "providers.etcd");
    }
}
