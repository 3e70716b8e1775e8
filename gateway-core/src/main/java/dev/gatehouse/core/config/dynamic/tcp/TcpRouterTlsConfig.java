package dev.gatehouse.core.config.dynamic.tcp;

import dev.gatehouse.core.config.dynamic.DomainConfig;
import dev.gatehouse.core.config.dynamic.RouterTlsConfig;
import java.util.List;

/**
 * {@code tcp.routers.<name>.tls}.
 *
 * @param passthrough forward the TLS bytes to the server untouched (the server holds the certificate); the
 *     connection is routed by the server name of its ClientHello
 * @param options the name of a {@code tls.options} entry for the terminated handshake; {@code default} when absent
 * @param certResolver the certificate resolver that obtains this router's certificates
 * @param domains the certificate domains; when empty, the names of the rule's {@code HostSNI} matchers
 */
public record TcpRouterTlsConfig(Boolean passthrough, String options, String certResolver, List<DomainConfig> domains) {

    public TcpRouterTlsConfig {
        domains = domains == null ? List.of() : List.copyOf(domains);
    }

    public boolean isPassthrough() {
        return Boolean.TRUE.equals(passthrough);
    }

    /** The part that terminating routers share with HTTP routers: options, resolver and domains. */
    public RouterTlsConfig termination() {
        return new RouterTlsConfig(options, certResolver, domains);
    }
}
