package dev.gatehouse.core.config.dynamic;

import java.time.Duration;
import java.util.Map;

/**
 * {@code loadBalancer.healthCheck}: each server is asked periodically; it is healthy iff it answers 2XX or
 * 3XX (or exactly {@code status} when set) within {@code timeout}.
 *
 * @param path the path asked, relative to the server URL (required in {@code http} mode)
 * @param scheme replaces the server URL's scheme
 * @param mode {@code http} (the default) or {@code grpc}: the gRPC health protocol's {@code Check} over h2c, healthy
 *     iff the server answers {@code SERVING}
 * @param hostname the {@code Host} header sent
 * @param port replaces the server URL's port
 * @param interval time between checks of a healthy server; default 30s
 * @param unhealthyInterval time between checks of an unhealthy server; default {@code interval}
 * @param timeout how long a check may take; default 5s
 * @param headers headers sent with each check
 * @param followRedirects follow redirects (default true)
 * @param method the method; default GET
 * @param status the one status that means healthy; default any 2XX or 3XX
 */
public record HealthCheckConfig(String path, String scheme, String mode, String hostname, Integer port,
        Duration interval, Duration unhealthyInterval, Duration timeout, Map<String, String> headers,
        Boolean followRedirects, String method, Integer status) {

    public HealthCheckConfig {
        headers = Immutables.map(headers);
    }

    public Duration intervalOrDefault() {
        return interval == null || interval.isZero() ? Duration.ofSeconds(30) : interval;
    }

    public Duration unhealthyIntervalOrDefault() {
        return unhealthyInterval == null || unhealthyInterval.isZero() ? intervalOrDefault() : unhealthyInterval;
    }

    public Duration timeoutOrDefault() {
        return timeout == null || timeout.isZero() ? Duration.ofSeconds(5) : timeout;
    }

    public boolean followRedirectsOrDefault() {
        return followRedirects == null || followRedirects;
    }

    public String methodOrDefault() {
        return method == null || method.isBlank() ? "GET" : method.strip();
    }
}
