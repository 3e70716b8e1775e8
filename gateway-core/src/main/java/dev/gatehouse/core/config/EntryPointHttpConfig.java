package dev.gatehouse.core.config;

/**
 * {@code entryPoints.<name>.http}: how HTTP requests on the entry point are treated before routing.
 *
 * @param sanitizePath remove {@code .}/{@code ..} segments and repeated slashes from the request path before
 *        routing, and forward the cleaned path upstream; default true, as in Traefik
 * @param redirections send every request on this entry point to another one instead of routing it
 * @param tls routers on this entry point without {@code tls} of their own get these TLS settings (and so serve
 *        HTTPS); null when absent
 */
public record EntryPointHttpConfig(Boolean sanitizePath, RedirectionsConfig redirections, EntryPointTlsConfig tls) {

    public boolean sanitizePathOrDefault() {
        return sanitizePath == null || sanitizePath;
    }
}
