package dev.gatehouse.core.config.dynamic;

import java.time.Duration;

/**
 * {@code loadBalancer.passiveHealthCheck}: a server that fails {@code maxFailedAttempts} requests in a row
 * within {@code failureWindow} (a refused or failed connection, or a timeout) gets no traffic for
 * {@code failureWindow}. Unlike Traefik, where it is opt-in, it is on for every load balancer.
 *
 * @param failureWindow the window for counting failures and how long the server is left out; default 10s
 * @param maxFailedAttempts consecutive failures that take the server out; default 1
 */
public record PassiveHealthCheckConfig(Duration failureWindow, Integer maxFailedAttempts) {

    public static final PassiveHealthCheckConfig DEFAULTS = new PassiveHealthCheckConfig(null, null);

    public Duration failureWindowOrDefault() {
        return failureWindow == null || failureWindow.isZero() ? Duration.ofSeconds(10) : failureWindow;
    }

    public int maxFailedAttemptsOrDefault() {
        return maxFailedAttempts == null || maxFailedAttempts < 1 ? 1 : maxFailedAttempts;
    }
}
