package dev.gatehouse.core.config;

import java.util.List;

/**
 * {@code entryPoints.<name>.proxyProtocol}: the PROXY protocol (v1 or v2) header that a load balancer in front
 * (HAProxy {@code send-proxy}, an AWS NLB) puts before each connection's first byte, naming the client it accepted the
 * connection from. A connection may come with or without one. The client address it names replaces the connection's
 * own for everything (forwarded headers, ipAllowList, the access log, rate limits) only when the connection comes from
 * {@code trustedIPs}; from any other address the header is read and discarded, and the connection's own address is
 * used, as Traefik does.
 *
 * @param trustedIPs the addresses and CIDRs of the load balancers whose headers are believed; required unless
 *        {@code insecure}
 * @param insecure believe every connection's header (tests only: any client can then claim any address)
 */
@EnabledByPresence
public record ProxyProtocolConfig(List<String> trustedIPs, Boolean insecure) {

    public ProxyProtocolConfig {
        trustedIPs = trustedIPs == null ? List.of() : List.copyOf(trustedIPs);
    }

    public boolean insecureOrDefault() {
        return Boolean.TRUE.equals(insecure);
    }
}
