package dev.gatehouse.core.config.dynamic;

import java.util.List;

/**
 * {@code http.services.<name>.weighted}: other services, balanced by smooth weighted round robin.
 *
 * @param services the services and their weights
 * @param sticky a cookie that pins a client to one of the services
 * @param healthCheck accepted for compatibility ({@code {}}): children without an available server are
 *     always skipped
 */
public record WeightedConfig(List<WeightedService> services, StickyConfig sticky, Object healthCheck) {

    public WeightedConfig {
        services = Immutables.list(services);
    }

    /**
     * @param name a service name, {@code name} or {@code name@provider}
     * @param weight its share; default 1
     */
    public record WeightedService(String name, Integer weight) {
        public int weightOrDefault() {
            return weight == null ? 1 : weight;
        }
    }
}
