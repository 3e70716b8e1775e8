package dev.gatehouse.core.config;

import java.time.Duration;

/**
 * {@code serversTransport.forwardingTimeouts}.
 *
 * @param dialTimeout how long connecting to a backend may take; default 30s
 * @param responseHeaderTimeout how long to wait for a backend's response headers; default 0 (no limit, as in
 *        Traefik: nothing else limits that wait)
 * @param idleConnTimeout how long an idle pooled backend connection is kept; default 90s (it does not limit a
 *        request waiting for its response)
 */
public record ForwardingTimeoutsConfig(Duration dialTimeout, Duration responseHeaderTimeout, Duration idleConnTimeout) {

    public Duration dialTimeoutOrDefault() {
        return dialTimeout == null ? Duration.ofSeconds(30) : dialTimeout;
    }

    /** {@link Duration#ZERO} means no limit. */
    public Duration responseHeaderTimeoutOrDefault() {
        return responseHeaderTimeout == null ? Duration.ZERO : responseHeaderTimeout;
    }

    public Duration idleConnTimeoutOrDefault() {
        return idleConnTimeout == null ? Duration.ofSeconds(90) : idleConnTimeout;
    }
}
