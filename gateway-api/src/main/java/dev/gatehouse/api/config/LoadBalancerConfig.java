package dev.gatehouse.api.config;

import java.util.List;

/**
 * {@code http.services.<name>.loadBalancer}: smooth weighted round robin over the servers.
 *
 * <pre>{@code
 * loadBalancer:
 *   passHostHeader: false
 *   servers:
 *     - url: http://10.0.0.5:8080
 *     - url: http://10.0.0.6:8080
 *       weight: 2
 * }</pre>
 *
 * @param servers the servers
 * @param passHostHeader send the client's {@code Host} header to the server (default {@code true});
 *     when false the server's own host and port are sent
 */
public record LoadBalancerConfig(List<ServerConfig> servers, Boolean passHostHeader) {

    public LoadBalancerConfig {
        servers = Immutables.list(servers);
    }

    public boolean passHostHeaderOrDefault() {
        return passHostHeader == null || passHostHeader;
    }
}
