package dev.gatehouse.core.config.dynamic;

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
 * @param preferServerCipherSuites accepted for Traefik files, with no effect: Traefik documents it as deprecated and
 *        ignored (Go's TLS stack ignores it); the order of {@code cipherSuites} is the server's preference
 * @param disableSessionTickets issue no session tickets (TLS 1.2 and 1.3), so clients cannot resume sessions with
 *        them; default false (Traefik v3.1+)
 */
public record TlsOptionsConfig(
        String minVersion,
        String maxVersion,
        List<String> cipherSuites,
        List<String> curvePreferences,
        Boolean sniStrict,
        List<String> alpnProtocols,
        ClientAuthConfig clientAuth,
        Boolean preferServerCipherSuites,
        Boolean disableSessionTickets) {

    /** The options without {@code preferServerCipherSuites} (kept for plugins built against 0.1). */
    public TlsOptionsConfig(String minVersion, String maxVersion, List<String> cipherSuites,
            List<String> curvePreferences, Boolean sniStrict, List<String> alpnProtocols, ClientAuthConfig clientAuth) {
        this(minVersion, maxVersion, cipherSuites, curvePreferences, sniStrict, alpnProtocols, clientAuth, null, null);
    }

    /** The options without {@code disableSessionTickets} (kept for plugins built against earlier versions). */
    public TlsOptionsConfig(String minVersion, String maxVersion, List<String> cipherSuites,
            List<String> curvePreferences, Boolean sniStrict, List<String> alpnProtocols, ClientAuthConfig clientAuth,
            Boolean preferServerCipherSuites) {
        this(minVersion, maxVersion, cipherSuites, curvePreferences, sniStrict, alpnProtocols, clientAuth,
                preferServerCipherSuites, null);
    }

    /** Whether session tickets are off ({@code disableSessionTickets: true}). */
    public boolean sessionTicketsDisabled() {
        return Boolean.TRUE.equals(disableSessionTickets);
    }

    public TlsOptionsConfig {
        cipherSuites = Immutables.list(cipherSuites);
        curvePreferences = Immutables.list(curvePreferences);
        alpnProtocols = Immutables.list(alpnProtocols);
    }
}
