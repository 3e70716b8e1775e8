package dev.gatehouse.core.server;

import dev.gatehouse.core.config.EntryPointHttp2Config;
import dev.gatehouse.core.config.EntryPointHttpConfig;
import dev.gatehouse.core.http.ForwardedHeadersPolicy;
import dev.gatehouse.core.http.RequestHeadRules;
import java.util.Set;

/**
 * What the server needs to open one entry point.
 *
 * @param name the entry point's name
 * @param host the address to bind, or null for every interface
 * @param port the port (0 picks a free one, for tests)
 * @param forwardedHeaders whose {@code X-Forwarded-*} headers are believed
 * @param sanitizePath whether {@code .}/{@code ..} segments and repeated slashes are removed from request paths
 * @param timeouts how long clients may take, and how long their connections live
 * @param maxHeaderBytes the largest request header section accepted; a larger one gets 431
 * @param http2MaxConcurrentStreams how many streams one HTTP/2 connection may have open at once
 * @param reusePort whether the socket is opened with {@code SO_REUSEPORT}
 * @param deniedEncodedCharacters hex codes of the percent-encoded characters refused in routed request paths
 * @param requestHead what the entry point does with request heads before routing (underscore headers, query
 *        semicolons)
 * @param proxyProtocol the PROXY protocol the entry point reads, or null
 */
public record ListenerSpec(String name, String host, int port, ForwardedHeadersPolicy forwardedHeaders,
        boolean sanitizePath, EntryPointTimeouts timeouts, int maxHeaderBytes, int http2MaxConcurrentStreams,
        boolean reusePort, Set<String> deniedEncodedCharacters, RequestHeadRules requestHead,
        ProxyProtocol proxyProtocol) {

    /**
     * An entry point with Traefik's default timeouts and request head rules, Gatehouse's default header and HTTP/2
     * stream limits, no {@code SO_REUSEPORT}, no encoded character denied and no PROXY protocol.
     */
    public ListenerSpec(String name, String host, int port, ForwardedHeadersPolicy forwardedHeaders,
            boolean sanitizePath) {
        this(name, host, port, forwardedHeaders, sanitizePath, EntryPointTimeouts.DEFAULTS,
                EntryPointHttpConfig.DEFAULT_MAX_HEADER_BYTES, EntryPointHttp2Config.DEFAULT_MAX_CONCURRENT_STREAMS,
                false, Set.of(), RequestHeadRules.DEFAULTS, null);
    }
}
