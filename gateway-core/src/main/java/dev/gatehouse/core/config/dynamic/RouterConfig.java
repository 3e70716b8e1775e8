package dev.gatehouse.core.config.dynamic;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code http.routers.<name>}: which requests go where.
 *
 * <pre>{@code
 * http:
 *   routers:
 *     api:
 *       rule: Host(`example.com`) && PathPrefix(`/api`)
 *       entryPoints: [web]
 *       middlewares: [strip-api]
 *       service: api
 *       priority: 10
 * }</pre>
 *
 * @param rule the rule, such as {@code Host(`example.com`) && PathPrefix(`/api`)}
 * @param entryPoints entry points the router listens on; empty means every default entry point
 * @param middlewares middlewares applied in order, {@code name} or {@code name@provider}
 * @param service the service, {@code name} or {@code name@provider}
 * @param priority higher wins; {@code null} or 0 means the length of the rule
 * @param tls present when the router serves HTTPS
 * @param observability which observations its requests get; null means as its entry point says
 * @param ruleSyntax {@code v3} (the default) or {@code v2}: the matcher set its rule is read with, as in Traefik v3
 */
public record RouterConfig(
        String rule,
        List<String> entryPoints,
        List<String> middlewares,
        String service,
        Integer priority,
        RouterTlsConfig tls,
        ObservabilityConfig observability,
        String ruleSyntax) {

    public RouterConfig {
        entryPoints = Immutables.list(entryPoints);
        middlewares = Immutables.list(middlewares);
    }

    /** A router with no observability switches and the default rule syntax. */
    public RouterConfig(String rule, List<String> entryPoints, List<String> middlewares, String service, Integer priority,
            RouterTlsConfig tls) {
        this(rule, entryPoints, middlewares, service, priority, tls, null, null);
    }

    /**
     * The priority used for ordering: the explicit one when set and not 0, else the rule's length in bytes of
     * UTF-8, as Go's {@code len(rule)} in Traefik ({@code Host(`é.test`)} counts the é twice).
     */
    public int effectivePriority() {
        if (priority != null && priority != 0) {
            return priority;
        }
        return rule == null ? 0 : rule.getBytes(StandardCharsets.UTF_8).length;
    }
}
