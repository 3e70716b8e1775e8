package dev.gatehouse.core.proxy;

import java.time.Duration;

/**
 * How the gateway talks to servers ({@code serversTransport} in the static configuration).
 *
 * @param dialTimeout how long connecting may take (504 after it)
 * @param responseHeaderTimeout how long to wait for a server's response headers once the request is sent;
 *     zero waits for ever (504 after it)
 * @param idleConnTimeout how long an unused connection stays in the pool
 * @param maxIdleConnsPerHost how many connections to one server the pool keeps
 */
public record UpstreamSettings(Duration dialTimeout, Duration responseHeaderTimeout, Duration idleConnTimeout,
        int maxIdleConnsPerHost) {

    public static final UpstreamSettings DEFAULTS =
            new UpstreamSettings(Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(90), 200);
}
