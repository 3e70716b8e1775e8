package dev.gatehouse.core.config.dynamic.udp;

import java.util.List;

/**
 * {@code udp.services.<name>}: where a UDP router's sessions go; exactly one of {@code loadBalancer} and
 * {@code weighted}.
 *
 * <pre>{@code
 * udp:
 *   services:
 *     dns:
 *       loadBalancer:
 *         servers:
 *           - address: 10.0.0.53:53
 *     canary:
 *       weighted:
 *         services:
 *           - name: dns
 *             weight: 3
 *           - name: dns-next
 *             weight: 1
 * }</pre>
 *
 * @param loadBalancer servers, taken in turn for each new session
 * @param weighted other UDP services, taken in turn by weight for each new session
 */
public record UdpServiceConfig(LoadBalancer loadBalancer, Weighted weighted) {

    /** @param servers the servers; a new session goes to the next one in turn */
    public record LoadBalancer(List<Server> servers) {
        public LoadBalancer {
            servers = servers == null ? List.of() : List.copyOf(servers);
        }
    }

    /** @param address {@code host:port} ({@code [ipv6]:port}) of a UDP server */
    public record Server(String address) {
    }

    /** @param services the UDP services and their weights */
    public record Weighted(List<WeightedService> services) {
        public Weighted {
            services = services == null ? List.of() : List.copyOf(services);
        }
    }

    /**
     * @param name a UDP service, {@code name} or {@code name@provider}
     * @param weight its share of new sessions; default 1, 0 takes none
     */
    public record WeightedService(String name, Integer weight) {
        public int weightOrDefault() {
            return weight == null ? 1 : weight;
        }
    }
}
