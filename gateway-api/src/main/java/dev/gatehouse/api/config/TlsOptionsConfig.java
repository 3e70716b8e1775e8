package dev.gatehouse.api.config;

import java.util.List;

/**
 * {@code tls.options.<name>}.
 *
 * <pre>{@code
 * tls:
 *   options:
 *     modern:
 *       minVersion: VersionTLS13
 *       sniStrict: true
 * }</pre>
 *
 * @param minVersion the lowest protocol version accepted ({@code VersionTLS12} by default)
 * @param maxVersion the highest
 * @param cipherSuites allowed cipher suites (TLS 1.2 and below)
 * @param curvePreferences key-exchange groups in order of preference
 * @param sniStrict refuse handshakes without SNI or with an unknown name
 * @param alpnProtocols protocols offered by ALPN ({@code h2}, {@code http/1.1} by default)
 * @param clientAuth client certificates (mutual TLS); none asked for when absent
 */
public record TlsOptionsConfig(
        String minVersion,
        String maxVersion,
        List<String> cipherSuites,
        List<String> curvePreferences,
        Boolean sniStrict,
        List<String> alpnProtocols,
        ClientAuthConfig clientAuth) {

    public TlsOptionsConfig {
        cipherSuites = Immutables.list(cipherSuites);
        curvePreferences = Immutables.list(curvePreferences);
        alpnProtocols = Immutables.list(alpnProtocols);
    }
}
