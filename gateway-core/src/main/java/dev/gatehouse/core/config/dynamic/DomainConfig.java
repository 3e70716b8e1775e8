package dev.gatehouse.core.config.dynamic;

import java.util.List;

/**
 * A certificate's domains.
 *
 * <pre>{@code
 * tls:
 *   domains:
 *     - main: example.com
 *       sans: ["www.example.com"]
 * }</pre>
 *
 * @param main the main domain (the certificate's subject)
 * @param sans further names
 */
public record DomainConfig(String main, List<String> sans) {

    public DomainConfig {
        sans = Immutables.list(sans);
    }
}
