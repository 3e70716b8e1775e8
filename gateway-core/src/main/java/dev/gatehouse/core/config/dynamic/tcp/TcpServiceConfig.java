package dev.gatehouse.core.config.dynamic.tcp;

import java.time.Duration;
import java.util.List;

/**
 * {@code tcp.services.<name>}: exactly one of {@code loadBalancer} or {@code weighted}.
 *
 * <pre>{@code
 * tcp:
 *   services:
 *     postgres:
 *       loadBalancer:
 *         servers:
 *           - address: 10.0.0.5:5432
 * }</pre>
 */
public record TcpServiceConfig(LoadBalancer loadBalancer, Weighted weighted) {

    /**
     * @param servers the servers, used in turn
     * @param serversTransport the name of a {@code tcp.serversTransports} entry; the default transport when absent
     * @param proxyProtocol send a PROXY protocol header to the servers (deprecated in Traefik in favour of the
     *     transport's; still read)
     * @param terminationDelay milliseconds a connection's other direction may go on once one side closed
     *     (deprecated in Traefik in favour of the transport's; still read)
     */
    public record LoadBalancer(List<Server> servers, String serversTransport, ProxyProtocol proxyProtocol,
            Integer terminationDelay) {
        public LoadBalancer {
            servers = servers == null ? List.of() : List.copyOf(servers);
        }
    }

    /**
     * @param address {@code host:port} of the server
     * @param tls connect to the server over TLS (with the transport's {@code tls} settings)
     */
    public record Server(String address, Boolean tls) {
        public boolean tlsOrDefault() {
            return Boolean.TRUE.equals(tls);
        }
    }

    /** @param services the TCP services that share the connections, by weight */
    public record Weighted(List<WeightedService> services) {
        public Weighted {
            services = services == null ? List.of() : List.copyOf(services);
        }
    }

    /** @param weight its share; default 1 */
    public record WeightedService(String name, Integer weight) {
        public int weightOrDefault() {
            return weight == null ? 1 : weight;
        }
    }

    /** @param version 1 (text) or 2 (binary, the default) */
    public record ProxyProtocol(Integer version) {
        public int versionOrDefault() {
            return version == null ? 2 : version;
        }
    }

    /** How long a half-closed connection may go on, from the deprecated loadBalancer key. */
    public static Duration millis(Integer terminationDelay) {
        return terminationDelay == null ? null : Duration.ofMillis(terminationDelay);
    }
}
