package dev.gatehouse.api.config;

import java.util.List;

/**
 * A certificate's domains.
 *
 * @param main the main domain (the certificate's subject)
 * @param sans further names
 */
public record DomainConfig(String main, List<String> sans) {

    public DomainConfig {
        sans = Immutables.list(sans);
    }
}
