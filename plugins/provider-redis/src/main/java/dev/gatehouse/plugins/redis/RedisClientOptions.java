package dev.gatehouse.plugins.redis;

import dev.gatehouse.plugins.kv.ClientTls;
import java.util.List;

/**
 * How to reach Redis, whoever reads it (the provider, a certificate storage): the options Traefik's Redis provider
 * takes besides {@code rootKey}.
 *
 * @param endpoints {@code host:port} of the Redis server, or of the Sentinels when {@code sentinel} is set; default
 *     {@code 127.0.0.1:6379}
 * @param username Redis ACL user ({@code AUTH username password}); absent with a password means the default user
 * @param password the password
 * @param db the database to select after connecting (default 0)
 * @param tls client TLS; absent means plain connections
 * @param sentinel find the master through Redis Sentinel
 * @param optionPrefix how messages name these options, e.g. {@code providers.redis}
 */
public record RedisClientOptions(List<String> endpoints, String username, String password, Integer db, ClientTls tls,
        Sentinel sentinel, String optionPrefix) {

    /** Traefik's default endpoint. */
    public static final String DEFAULT_ENDPOINT = "127.0.0.1:6379";

    public RedisClientOptions {
        endpoints = endpoints == null || endpoints.isEmpty() ? List.of(DEFAULT_ENDPOINT)
                : endpoints.stream().map(String::strip).filter(e -> !e.isEmpty()).toList();
        username = ClientTls.blankToNull(username);
        password = password == null || password.isEmpty() ? null : password;
        db = db == null ? 0 : db;
        optionPrefix = optionPrefix == null ? "redis" : optionPrefix;
    }

    /**
     * {@code sentinel}, with Traefik's names: {@code endpoints} are then the Sentinels, which name the current master.
     *
     * <pre>{@code
     * sentinel:
     *   masterName: mymaster
     * }</pre>
     *
     * @param masterName the name the Sentinels monitor the master under (required)
     * @param username user for the Sentinels themselves (their {@code requirepass}/ACL)
     * @param password password for the Sentinels
     * @param latencyStrategy read from the closest node, master or replica (exclusive with the two below)
     * @param randomStrategy read from any node at random
     * @param replicaStrategy read from replicas only
     * @param useDisconnectedReplicas accepted for Traefik compatibility; replicas are chosen by the Sentinels' view
     */
    public record Sentinel(String masterName, String username, String password, Boolean latencyStrategy,
            Boolean randomStrategy, Boolean replicaStrategy, Boolean useDisconnectedReplicas) {

        public Sentinel {
            masterName = ClientTls.blankToNull(masterName);
            username = ClientTls.blankToNull(username);
            password = password == null || password.isEmpty() ? null : password;
            latencyStrategy = latencyStrategy != null && latencyStrategy;
            randomStrategy = randomStrategy != null && randomStrategy;
            replicaStrategy = replicaStrategy != null && replicaStrategy;
            useDisconnectedReplicas = useDisconnectedReplicas != null && useDisconnectedReplicas;
        }
    }
}
