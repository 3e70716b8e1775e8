package dev.gatehouse.plugins.etcd.storage;

import dev.gatehouse.plugins.kv.ClientTls;
import dev.gatehouse.plugins.etcd.EtcdClientOptions;
import java.util.List;

/**
 * Options of the shared storage on etcd, under {@code storage.etcd}: the etcd provider's connection options, and the
 * prefix of the storage's keys.
 *
 * <pre>{@code
 * storage:
 *   etcd:
 *     endpoints: ["10.0.0.5:2379", "10.0.0.6:2379"]
 *     rootKey: gatehouse
 *     tls:
 *       ca: /etc/gatehouse/etcd-ca.pem
 * }</pre>
 *
 * @param endpoints the cluster's members; default {@code 127.0.0.1:2379}
 * @param rootKey the prefix of every key the storage writes; default {@code gatehouse}
 * @param username etcd user, with {@code password}
 * @param password that user's password
 * @param tls client TLS; absent means plain connections
 */
public record EtcdStorageConfig(List<String> endpoints, String rootKey, String username, String password, ClientTls tls) {

    public static final String DEFAULT_ROOT_KEY = "gatehouse";

    public EtcdStorageConfig {
        endpoints = endpoints == null ? null : List.copyOf(endpoints);
        rootKey = rootKey == null || rootKey.isBlank() ? DEFAULT_ROOT_KEY : rootKey.strip();
    }

    EtcdClientOptions clientOptions() {
        return new EtcdClientOptions(endpoints, username, password, tls, "storage.etcd");
    }
}
