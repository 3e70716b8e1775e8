package dev.gatehouse.core.config.dynamic;

import java.util.List;

/**
 * {@code http.services.<name>.failover}: requests go to {@code service} while it has an available server,
 * else to {@code fallback}; with {@code errors}, also a request whose answer from {@code service} has one of its
 * statuses.
 *
 * <pre>{@code
 * failover:
 *   service: main
 *   fallback: backup
 *   errors:
 *     status: ["500-504"]
 *     maxRequestBodyBytes: 1048576
 * }</pre>
 *
 * @param service the main service
 * @param fallback the fallback service
 * @param healthCheck accepted for compatibility ({@code {}})
 * @param errors failover on answers of the main service; null for none
 */
public record FailoverConfig(String service, String fallback, Object healthCheck, Errors errors) {

    public FailoverConfig(String service, String fallback, Object healthCheck) {
        this(service, fallback, healthCheck, null);
    }

    /**
     * {@code failover.errors} (Traefik v3.7).
     *
     * @param status status codes and ranges ({@code 503}, {@code 500-504}) whose answers go to the fallback instead
     * @param maxRequestBodyBytes the largest request body held to be sent again (larger: 413); none or negative: no
     *     limit
     */
    public record Errors(List<String> status, Long maxRequestBodyBytes) {

        public Errors {
            status = Immutables.list(status);
        }

        public long maxRequestBodyBytesOrDefault() {
            return maxRequestBodyBytes == null || maxRequestBodyBytes < 0 ? Long.MAX_VALUE : maxRequestBodyBytes;
        }
    }
}
