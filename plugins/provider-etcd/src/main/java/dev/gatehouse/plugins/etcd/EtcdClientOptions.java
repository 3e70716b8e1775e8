package dev.gatehouse.plugins.etcd;

import dev.gatehouse.plugins.kv.ClientTls;
import java.util.List;

/**
 * How to reach etcd, whoever reads it (the provider, a certificate storage): the options Traefik's etcd provider
 * takes besides {@code rootKey}.
 *
 * @param endpoints {@code host:port} (or {@code http://}/{@code https://} URLs) of the cluster's members; default
 *     {@code 127.0.0.1:2379}
 * @param username etcd user (etcd's authentication), with {@code password}
 * @param password that user's password
 * @param tls client TLS; absent means plain HTTP/2
 * @param optionPrefix how messages name these options, e.g. {@code providers.etcd}
 */
public record EtcdClientOptions(List<String> endpoints, String username, String password, ClientTls tls, String optionPrefix) {

    /** Traefik's default endpoint. */
    public static final String DEFAULT_ENDPOINT = "127.0.0.1:2379";

    public EtcdClientOptions {
        endpoints = endpoints == null || endpoints.isEmpty() ? List.of(DEFAULT_ENDPOINT)
                : endpoints.stream().map(String::strip).filter(e -> !e.isEmpty()).toList();
        username = ClientTls.blankToNull(username);
        password = password == null || password.isEmpty() ? null : password;
        optionPrefix = optionPrefix == null ? "etcd" : optionPrefix;
    }
}
