package dev.gatehouse.api.config;

/**
 * {@code http.services.<name>.failover}: requests go to {@code service} while it has an available server,
 * else to {@code fallback}.
 *
 * @param service the main service
 * @param fallback the fallback service
 * @param healthCheck accepted for compatibility ({@code {}})
 */
public record FailoverConfig(String service, String fallback, Object healthCheck) {
}
