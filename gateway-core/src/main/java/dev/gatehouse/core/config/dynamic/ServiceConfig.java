package dev.gatehouse.core.config.dynamic;

import java.util.List;

/**
 * {@code http.services.<name>}: where matched requests are sent. Exactly one of the kinds is set.
 *
 * <pre>{@code
 * http:
 *   services:
 *     app:
 *       loadBalancer:
 *         servers: [ { url: "http://10.0.0.5:8080" } ]
 * }</pre>
 *
 * @param loadBalancer a set of servers to balance between
 * @param weighted services to balance between, by weight
 * @param mirroring a main service whose requests are also copied to mirrors
 * @param failover a main service and a fallback used while the main one has no healthy server
 * @param highestRandomWeight services to choose between by the client's IP (rendezvous hashing), by weight; its
 *     {@code sticky} is not read (the IP is the stickiness)
 * @param middlewares middlewares applied in front of this service wherever it is used (by a router, or as a child
 *     of a weighted, failover or highestRandomWeight service), after the router's own; never null
 */
public record ServiceConfig(LoadBalancerConfig loadBalancer, WeightedConfig weighted, MirroringConfig mirroring,
        FailoverConfig failover, WeightedConfig highestRandomWeight, List<String> middlewares) {

    public ServiceConfig {
        middlewares = Immutables.list(middlewares);
    }

    /** One of the kinds, with no service middlewares. */
    public ServiceConfig(LoadBalancerConfig loadBalancer, WeightedConfig weighted, MirroringConfig mirroring,
            FailoverConfig failover, WeightedConfig highestRandomWeight) {
        this(loadBalancer, weighted, mirroring, failover, highestRandomWeight, null);
    }

    /** A load balancer service. */
    public ServiceConfig(LoadBalancerConfig loadBalancer) {
        this(loadBalancer, null, null, null, null);
    }

    /** One of the kinds before {@code highestRandomWeight}. */
    public ServiceConfig(LoadBalancerConfig loadBalancer, WeightedConfig weighted, MirroringConfig mirroring,
            FailoverConfig failover) {
        this(loadBalancer, weighted, mirroring, failover, null);
    }
}
