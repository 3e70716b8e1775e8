package dev.gatehouse.core.config.dynamic;

import java.util.List;
import java.util.Locale;

/**
 * {@code http.services.<name>.loadBalancer}: requests spread over servers.
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
 * @param strategy {@code wrr} (smooth weighted round robin, the default), {@code p2c} (power of two
 *     choices by requests in flight), {@code hrw} (highest random weight on the client's IP) or {@code leasttime}
 *     (lowest time to first byte, weighed by requests in flight)
 * @param healthCheck active health checks; null for none
 * @param passiveHealthCheck passive health (connection failures); on by default with its defaults
 * @param sticky sticky sessions by cookie; null for none
 * @param responseForwarding how responses are forwarded
 * @param serversTransport the name of an {@code http.serversTransports} entry; null for the default
 */
public record LoadBalancerConfig(List<ServerConfig> servers, Boolean passHostHeader, String strategy,
        HealthCheckConfig healthCheck, PassiveHealthCheckConfig passiveHealthCheck, StickyConfig sticky,
        ResponseForwardingConfig responseForwarding, String serversTransport) {

    public LoadBalancerConfig {
        servers = Immutables.list(servers);
    }

    /** Servers only, every other key at its default. */
    public LoadBalancerConfig(List<ServerConfig> servers, Boolean passHostHeader) {
        this(servers, passHostHeader, null, null, null, null, null, null);
    }

    public boolean passHostHeaderOrDefault() {
        return passHostHeader == null || passHostHeader;
    }

    /** The strategy's name, lower case; {@code wrr} when unset. */
    public String strategyOrDefault() {
        return strategy == null || strategy.isBlank() ? "wrr" : strategy.strip().toLowerCase(Locale.ROOT);
    }

    public PassiveHealthCheckConfig passiveHealthCheckOrDefault() {
        return passiveHealthCheck == null ? PassiveHealthCheckConfig.DEFAULTS : passiveHealthCheck;
    }
}
