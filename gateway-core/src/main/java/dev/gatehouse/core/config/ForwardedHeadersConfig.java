package dev.gatehouse.core.config;

import java.util.List;

/**
 * {@code entryPoints.<name>.forwardedHeaders}: whose {@code X-Forwarded-*} headers are kept.
 *
 * @param trustedIPs IPs and CIDRs whose forwarded headers are trusted; never null
 * @param insecure trust every client's forwarded headers; default false
 */
public record ForwardedHeadersConfig(List<String> trustedIPs, Boolean insecure) {

    public ForwardedHeadersConfig {
        trustedIPs = trustedIPs == null ? List.of() : List.copyOf(trustedIPs);
    }

    public boolean insecureOrDefault() {
        return Boolean.TRUE.equals(insecure);
    }
}
