package dev.gatehouse.core.config;

import dev.gatehouse.core.config.dynamic.DomainConfig;
import dev.gatehouse.core.config.dynamic.RouterTlsConfig;
import java.util.List;

/**
 * {@code entryPoints.<name>.http.tls}: the TLS settings of every router on this entry point that has no
 * {@code tls} of its own; such routers then serve HTTPS here. Enabled by presence ({@code tls: {}},
 * {@code --entryPoints.websecure.http.tls=true}).
 *
 * @param options the {@code tls.options} name (qualified with its provider, such as {@code modern@file})
 * @param certResolver the certificate resolver for those routers
 * @param domains the certificate domains; when empty, each router's Host rules
 */
@EnabledByPresence
public record EntryPointTlsConfig(String options, String certResolver, List<DomainConfig> domains) {

    public EntryPointTlsConfig {
        domains = domains == null ? List.of() : List.copyOf(domains);
    }

    /** The same settings as a router would carry them. */
    public RouterTlsConfig asRouterTls() {
        return new RouterTlsConfig(options, certResolver, domains);
    }
}
