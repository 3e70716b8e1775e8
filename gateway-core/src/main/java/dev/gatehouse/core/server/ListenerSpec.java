package dev.gatehouse.core.server;

import dev.gatehouse.core.http.ForwardedHeadersPolicy;

/**
 * What the server needs to open one entry point.
 *
 * @param name the entry point's name
 * @param host the address to bind, or null for every interface
 * @param port the port (0 picks a free one, for tests)
 * @param forwardedHeaders whose {@code X-Forwarded-*} headers are believed
 * @param sanitizePath whether {@code .}/{@code ..} segments and repeated slashes are removed from request paths
 * @param timeouts how long clients may take, and how long their connections live
 */
public record ListenerSpec(String name, String host, int port, ForwardedHeadersPolicy forwardedHeaders,
        boolean sanitizePath, EntryPointTimeouts timeouts) {

    /** An entry point with Traefik's default timeouts. */
    public ListenerSpec(String name, String host, int port, ForwardedHeadersPolicy forwardedHeaders,
            boolean sanitizePath) {
        this(name, host, port, forwardedHeaders, sanitizePath, EntryPointTimeouts.DEFAULTS);
    }
}
