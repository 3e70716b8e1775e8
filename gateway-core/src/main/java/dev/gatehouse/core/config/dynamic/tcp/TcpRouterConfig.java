package dev.gatehouse.core.config.dynamic.tcp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code tcp.routers.<name>}: which TCP connections go where, as in Traefik.
 *
 * <pre>{@code
 * tcp:
 *   routers:
 *     postgres:
 *       rule: HostSNI(`db.example.com`)
 *       entryPoints: [websecure]
 *       service: postgres
 *       tls: {}                 # terminate TLS here; {passthrough: true} forwards it untouched
 * }</pre>
 *
 * @param rule the rule, such as {@code HostSNI(`db.example.com`)}, or {@code HostSNI(`*`)} for any connection
 * @param entryPoints entry points the router listens on; empty means every default entry point
 * @param middlewares TCP middlewares applied in order, {@code name} or {@code name@provider}
 * @param service the TCP service, {@code name} or {@code name@provider}
 * @param priority higher wins; {@code null} or 0 means the length of the rule
 * @param tls present when the router takes TLS connections (terminated, or passed through)
 * @param ruleSyntax accepted for compatibility; only {@code v3} (the default) is read
 */
public record TcpRouterConfig(String rule, List<String> entryPoints, List<String> middlewares, String service,
        Integer priority, TcpRouterTlsConfig tls, String ruleSyntax) {

    public TcpRouterConfig {
        entryPoints = entryPoints == null ? List.of() : List.copyOf(entryPoints);
        middlewares = middlewares == null ? List.of() : List.copyOf(middlewares);
    }

    /** The explicit priority when set and not 0, else the rule's length in bytes of UTF-8, as in Traefik. */
    public int effectivePriority() {
        if (priority != null && priority != 0) {
            return priority;
        }
        return rule == null ? 0 : rule.getBytes(StandardCharsets.UTF_8).length;
    }
}
