package dev.gatehouse.core.config;

import java.util.List;

/**
 * {@code entryPoints.<name>.http}: how HTTP requests on the entry point are treated before routing.
 *
 * @param sanitizePath remove {@code .}/{@code ..} segments and repeated slashes from the request path before
 *        routing, and forward the cleaned path upstream; default true, as in Traefik
 * @param redirections send every request on this entry point to another one instead of routing it
 * @param middlewares middlewares put in front of the middlewares of every router on this entry point, as
 *        Traefik's; a name without {@code @provider} is looked up in each router's own provider
 * @param tls routers on this entry point without {@code tls} of their own get these TLS settings (and so serve
 *        HTTPS); null when absent
 */
public record EntryPointHttpConfig(Boolean sanitizePath, RedirectionsConfig redirections, List<String> middlewares,
        EntryPointTlsConfig tls) {

    public boolean sanitizePathOrDefault() {
        return sanitizePath == null || sanitizePath;
    }

    public List<String> middlewaresOrDefault() {
        return middlewares == null ? List.of() : middlewares;
    }
}
