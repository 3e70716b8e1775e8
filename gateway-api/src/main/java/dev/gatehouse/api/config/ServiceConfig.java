package dev.gatehouse.api.config;

/**
 * {@code http.services.<name>}: where matched requests are sent.
 *
 * @param loadBalancer a set of servers to balance between
 */
public record ServiceConfig(LoadBalancerConfig loadBalancer) {
}
