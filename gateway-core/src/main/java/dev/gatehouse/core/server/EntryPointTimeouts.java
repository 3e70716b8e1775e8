package dev.gatehouse.core.server;

import dev.gatehouse.core.config.EntryPointTransportConfig;
import dev.gatehouse.core.config.RespondingTimeoutsConfig;
import java.time.Duration;

/**
 * The time and use limits of one entry point's client connections, as Traefik has them
 * ({@code entryPoints.<name>.transport}); {@link Duration#ZERO} and 0 mean no limit.
 *
 * @param readTimeout how long reading one request may take, request line, headers and body
 * @param writeTimeout how long a request may take from the end of its headers to the end of its response
 * @param idleTimeout how long a keep-alive connection may wait for its next request
 * @param keepAliveMaxRequests how many requests one connection serves before it is closed
 * @param keepAliveMaxTime how old a connection may grow before it is closed after its current request
 */
public record EntryPointTimeouts(Duration readTimeout, Duration writeTimeout, Duration idleTimeout,
        int keepAliveMaxRequests, Duration keepAliveMaxTime) {

    /** Traefik's defaults: 60s to read a request, no write limit, 180s idle, no keep-alive limits. */
    public static final EntryPointTimeouts DEFAULTS = of(new EntryPointTransportConfig(null, null, null, null));

    public static EntryPointTimeouts of(EntryPointTransportConfig transport) {
        RespondingTimeoutsConfig responding = transport.respondingTimeoutsOrDefault();
        return new EntryPointTimeouts(responding.readTimeoutOrDefault(), responding.writeTimeoutOrDefault(),
                responding.idleTimeoutOrDefault(), transport.keepAliveMaxRequestsOrDefault(),
                transport.keepAliveMaxTimeOrDefault());
    }

    /** Whether a connection is closed after some number of requests or some age. */
    boolean limitsKeepAlive() {
        return keepAliveMaxRequests > 0 || !keepAliveMaxTime.isZero();
    }
}
