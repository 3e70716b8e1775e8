package dev.gatehouse.core.config;

import java.time.Duration;

/**
 * {@code entryPoints.<name>.udp}: the settings of a UDP entry point ({@code address: ":53/udp"}).
 *
 * @param timeout how long a client's session (its socket to the server it was sent to) is kept without a datagram
 *        either way before it is closed; default {@link #DEFAULT_TIMEOUT} (3s), as in Traefik
 * @param maxSessions (Gatehouse's; Traefik has no limit) how many sessions, that is client addresses, the entry
 *        point serves at once, each with its own socket to a server; a new client's datagram beyond that is dropped
 *        until a session ends; default {@value #DEFAULT_MAX_SESSIONS}
 */
public record EntryPointUdpConfig(Duration timeout, Integer maxSessions) {

    /** Traefik's {@code DefaultUDPTimeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    public static final int DEFAULT_MAX_SESSIONS = 10_000;

    public EntryPointUdpConfig {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new InvalidValueException("timeout", "invalid value " + GoDurations.format(timeout)
                    + " for '{key}' (expected a duration greater than zero, such as 3s)");
        }
        if (maxSessions != null && maxSessions < 1) {
            throw new InvalidValueException("maxSessions", "invalid value " + maxSessions
                    + " for '{key}' (expected a number of sessions, at least 1)");
        }
    }

    public Duration timeoutOrDefault() {
        return timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    public int maxSessionsOrDefault() {
        return maxSessions == null ? DEFAULT_MAX_SESSIONS : maxSessions;
    }
}
