package dev.gatehouse.api.config;

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
 */
public record ServiceConfig(LoadBalancerConfig loadBalancer, WeightedConfig weighted, MirroringConfig mirroring,
        FailoverConfig failover, WeightedConfig highestRandomWeight) {

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
