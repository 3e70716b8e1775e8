package dev.gatehouse.core.config;

/**
 * {@code serversTransport}: how the gateway talks to backend servers.
 *
 * @param forwardingTimeouts timeouts; null means the defaults
 * @param maxIdleConnsPerHost idle connections kept per backend server; default 200
 */
public record ServersTransportConfig(ForwardingTimeoutsConfig forwardingTimeouts, Integer maxIdleConnsPerHost) {

    public ForwardingTimeoutsConfig forwardingTimeoutsOrDefault() {
        return forwardingTimeouts == null ? new ForwardingTimeoutsConfig(null, null, null) : forwardingTimeouts;
    }

    public int maxIdleConnsPerHostOrDefault() {
        return maxIdleConnsPerHost == null ? 200 : maxIdleConnsPerHost;
    }
}
