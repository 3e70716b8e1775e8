package dev.gatehouse.core.config.dynamic;

import java.util.List;

/**
 * {@code http.routers.<name>.tls}.
 *
 * <pre>{@code
 * tls:
 *   certResolver: le
 *   domains:
 *     - main: example.com
 * }</pre>
 *
 * @param options the name of a {@code tls.options} entry; {@code default} when absent
 * @param certResolver the certificate resolver that obtains this router's certificates
 * @param domains the certificate domains; when empty, the hosts of the rule's {@code Host} matchers
 */
public record RouterTlsConfig(String options, String certResolver, List<DomainConfig> domains) {

    public RouterTlsConfig {
        domains = Immutables.list(domains);
    }
}
