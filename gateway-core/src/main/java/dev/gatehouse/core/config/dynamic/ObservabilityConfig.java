package dev.gatehouse.core.config.dynamic;

/**
 * {@code observability} of a router ({@code http.routers.<name>.observability}) or of an entry point
 * ({@code entryPoints.<name>.observability}, the default for the requests it receives): which observations a
 * request gets. Each switch unset means "as the entry point says" for a router, and {@code true} for an entry point.
 *
 * <pre>{@code
 * http:
 *   routers:
 *     health:
 *       rule: Path(`/healthz`)
 *       service: app
 *       observability:
 *         accessLogs: false   # no access log line for these requests
 *         metrics: false      # not counted in the entry point, router or service metrics
 * }</pre>
 *
 * @param accessLogs whether the request is written to the access log
 * @param metrics whether the request is counted in the metrics (entry point, router and service)
 * @param tracing whether the request is traced, when {@code tracing} is configured (default true)
 * @param traceVerbosity {@code minimal} (the default: the entry point's and the upstream request's spans) or
 *     {@code detailed} (router, middleware and service spans as well); any other value counts as
 *     {@code minimal}, as in Traefik
 */
public record ObservabilityConfig(Boolean accessLogs, Boolean metrics, Boolean tracing, String traceVerbosity) {
}
