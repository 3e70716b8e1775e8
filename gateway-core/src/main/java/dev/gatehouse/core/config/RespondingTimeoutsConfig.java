package dev.gatehouse.core.config;

import java.time.Duration;

/**
 * {@code entryPoints.<name>.transport.respondingTimeouts}: how long a client may take, as Traefik (Go's
 * {@code http.Server}) counts it. {@link Duration#ZERO} means no limit.
 *
 * @param readTimeout how long reading a whole request may take, headers and body, counted from its first byte
 *        (from the connection's opening for its first request); default 60s
 * @param writeTimeout how long a request may take from the end of its headers to the end of its response;
 *        default 0 (no limit)
 * @param idleTimeout how long a keep-alive connection may wait for its next request; default 180s
 */
public record RespondingTimeoutsConfig(Duration readTimeout, Duration writeTimeout, Duration idleTimeout) {

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(180);

    public Duration readTimeoutOrDefault() {
        return readTimeout == null ? DEFAULT_READ_TIMEOUT : readTimeout;
    }

    public Duration writeTimeoutOrDefault() {
        return writeTimeout == null ? Duration.ZERO : writeTimeout;
    }

    public Duration idleTimeoutOrDefault() {
        return idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
    }
}
