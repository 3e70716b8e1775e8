package dev.gatehouse.api.config;

/**
 * {@code http.services.<name>}: where matched requests are sent.
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
 */
public record ServiceConfig(LoadBalancerConfig loadBalancer) {
}
