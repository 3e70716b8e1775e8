package dev.gatehouse.core.config.dynamic;

import java.time.Duration;

/**
 * {@code loadBalancer.responseForwarding}.
 *
 * @param flushInterval accepted for compatibility: Gatehouse writes every chunk of a response to the client as
 *     it arrives from the server, which is what Traefik does for streaming responses
 */
public record ResponseForwardingConfig(Duration flushInterval) {
}
