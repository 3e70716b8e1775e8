package dev.gatehouse.core.config;

import java.time.Duration;

/**
 * {@code entryPoints.<name>.transport.lifeCycle}: graceful shutdown.
 *
 * @param requestAcceptGraceTimeout how long to keep accepting requests after shutdown starts
 *        (while {@code /ping} answers 503); default 0
 * @param graceTimeOut how long in-flight requests get to finish; default 10s
 */
public record LifeCycleConfig(Duration requestAcceptGraceTimeout, Duration graceTimeOut) {

    public static final Duration DEFAULT_GRACE_TIMEOUT = Duration.ofSeconds(10);

    public Duration requestAcceptGraceTimeoutOrDefault() {
        return requestAcceptGraceTimeout == null ? Duration.ZERO : requestAcceptGraceTimeout;
    }

    public Duration graceTimeOutOrDefault() {
        return graceTimeOut == null ? DEFAULT_GRACE_TIMEOUT : graceTimeOut;
    }
}
