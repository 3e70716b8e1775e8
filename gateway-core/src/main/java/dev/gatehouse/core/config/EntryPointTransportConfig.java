package dev.gatehouse.core.config;

import java.time.Duration;

/**
 * {@code entryPoints.<name>.transport}.
 *
 * @param lifeCycle how the entry point shuts down; null means the defaults
 * @param respondingTimeouts how long clients may take to send requests and wait between them; null means the
 *        defaults
 * @param keepAliveMaxRequests after this many requests on one connection the response says
 *        {@code Connection: close} (HTTP/2: the connection is shut down gracefully); 0 (the default) means no limit
 * @param keepAliveMaxTime once a connection is this old, the next response says {@code Connection: close}
 *        (HTTP/2: graceful shutdown); 0 (the default) means no limit
 */
public record EntryPointTransportConfig(LifeCycleConfig lifeCycle, RespondingTimeoutsConfig respondingTimeouts,
        Integer keepAliveMaxRequests, Duration keepAliveMaxTime) {

    public LifeCycleConfig lifeCycleOrDefault() {
        return lifeCycle == null ? new LifeCycleConfig(null, null) : lifeCycle;
    }

    public RespondingTimeoutsConfig respondingTimeoutsOrDefault() {
        return respondingTimeouts == null ? new RespondingTimeoutsConfig(null, null, null) : respondingTimeouts;
    }

    public int keepAliveMaxRequestsOrDefault() {
        return keepAliveMaxRequests == null ? 0 : keepAliveMaxRequests;
    }

    public Duration keepAliveMaxTimeOrDefault() {
        return keepAliveMaxTime == null ? Duration.ZERO : keepAliveMaxTime;
    }
}
