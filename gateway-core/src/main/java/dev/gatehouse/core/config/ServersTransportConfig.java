package dev.gatehouse.core.config;

import java.util.List;

/**
 * {@code serversTransport}: how the gateway talks to backend servers of every service that names no
 * {@code serversTransport} of its own (Traefik's default transport, {@code default@internal}).
 *
 * @param forwardingTimeouts timeouts; null means the defaults
 * @param maxIdleConnsPerHost idle connections kept per backend server; default 200
 * @param insecureSkipVerify accept any server certificate (default false)
 * @param rootCAs PEM files (or PEM text) of the certificate authorities trusted for servers, instead of the
 *     JVM's; a relative file path is taken from the configuration file's folder
 */
public record ServersTransportConfig(ForwardingTimeoutsConfig forwardingTimeouts, Integer maxIdleConnsPerHost,
        Boolean insecureSkipVerify, List<String> rootCAs) {

    public ServersTransportConfig {
        rootCAs = rootCAs == null ? List.of() : List.copyOf(rootCAs);
    }

    public ForwardingTimeoutsConfig forwardingTimeoutsOrDefault() {
        return forwardingTimeouts == null ? new ForwardingTimeoutsConfig(null, null, null) : forwardingTimeouts;
    }

    public int maxIdleConnsPerHostOrDefault() {
        return maxIdleConnsPerHost == null ? 200 : maxIdleConnsPerHost;
    }
}
