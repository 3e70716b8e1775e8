package dev.gatehouse.core.proxy;

import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import java.time.Duration;

/**
 * How the gateway talks to servers: the timeouts and pool size of a servers transport.
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

    /**
     * The settings of a servers transport, static ({@code serversTransport}) or dynamic
     * ({@code http.serversTransports.<name>}), with {@link #DEFAULTS} for what it leaves out.
     */
    public static UpstreamSettings of(ServersTransportConfig config) {
        ServersTransportConfig.ForwardingTimeouts timeouts = config.forwardingTimeouts();
        return new UpstreamSettings(
                orDefault(timeouts == null ? null : timeouts.dialTimeout(), DEFAULTS.dialTimeout()),
                orDefault(timeouts == null ? null : timeouts.responseHeaderTimeout(), DEFAULTS.responseHeaderTimeout()),
                orDefault(timeouts == null ? null : timeouts.idleConnTimeout(), DEFAULTS.idleConnTimeout()),
                config.maxIdleConnsPerHost() == null ? DEFAULTS.maxIdleConnsPerHost() : config.maxIdleConnsPerHost());
    }

    private static Duration orDefault(Duration value, Duration fallback) {
        return value == null ? fallback : value;
    }
}
