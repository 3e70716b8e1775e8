package dev.gatehouse.core.config;

import java.util.List;

/**
 * {@code entryPoints.<name>.forwardedHeaders}: whose {@code X-Forwarded-*} headers are kept.
 *
 * @param trustedIPs IPs and CIDRs whose forwarded headers are trusted; never null
 * @param insecure trust every client's forwarded headers; default false
 * @param connection Traefik: the headers named in the client's {@code Connection} header that still reach the
 *        middlewares (the others are removed before them); Gatehouse lets every such header reach the middlewares
 *        and removes them all before the request goes upstream, so the headers listed here behave as in Traefik;
 *        never null
 * @param addXForwardedSchemeHeaders also send the scheme as {@code X-Forwarded-Scheme} and {@code X-Scheme} (the
 *        value of {@code X-Forwarded-Proto}); default false
 * @param notAppendXForwardedFor do not add the client's address to {@code X-Forwarded-For}: a trusted client's header
 *        goes on as it is, and none is sent when there is none; unset means {@code global.notAppendXForwardedFor}
 */
public record ForwardedHeadersConfig(List<String> trustedIPs, Boolean insecure, List<String> connection,
        Boolean addXForwardedSchemeHeaders, Boolean notAppendXForwardedFor) {

    public ForwardedHeadersConfig {
        trustedIPs = trustedIPs == null ? List.of() : List.copyOf(trustedIPs);
        connection = connection == null ? List.of() : List.copyOf(connection);
    }

    public boolean addXForwardedSchemeHeadersOrDefault() {
        return Boolean.TRUE.equals(addXForwardedSchemeHeaders);
    }

    public boolean insecureOrDefault() {
        return Boolean.TRUE.equals(insecure);
    }
}
