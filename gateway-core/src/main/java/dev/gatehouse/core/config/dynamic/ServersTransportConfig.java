package dev.gatehouse.core.config.dynamic;

import java.time.Duration;
import java.util.List;

/**
 * {@code http.serversTransports.<name>}: how the gateway talks to the servers of the services that name it in
 * {@code loadBalancer.serversTransport}. Each distinct transport gets its own connection pool.
 *
 * @param serverName the TLS server name (SNI) sent to servers and checked in their certificates
 * @param insecureSkipVerify accept any server certificate (default false)
 * @param rootCAs PEM files (or PEM text) of the certificate authorities trusted for servers; default the JVM's
 * @param certificates client certificates presented to servers (mTLS)
 * @param maxIdleConnsPerHost idle connections kept per server; default 200
 * @param forwardingTimeouts timeouts
 * @param disableHTTP2 speak HTTP/1.1 even to {@code h2c://} servers (default false)
 * @param peerCertURI not supported; an error when set
 * @param spiffe not supported; an error when set
 * @param cipherSuites the TLS 1.2 cipher suites offered to servers, Go's names (Traefik v3.7); default the engine's
 * @param minVersion the lowest TLS version offered to servers ({@code VersionTLS12}); default the engine's
 * @param maxVersion the highest TLS version offered to servers ({@code VersionTLS13}); default the engine's
 */
public record ServersTransportConfig(String serverName, Boolean insecureSkipVerify, List<String> rootCAs,
        List<Certificate> certificates, Integer maxIdleConnsPerHost, ForwardingTimeouts forwardingTimeouts,
        Boolean disableHTTP2, String peerCertURI, Object spiffe, List<String> cipherSuites, String minVersion,
        String maxVersion) {

    public ServersTransportConfig {
        rootCAs = Immutables.list(rootCAs);
        certificates = Immutables.list(certificates);
        cipherSuites = Immutables.list(cipherSuites);
    }

    /** Without the TLS versions and cipher suites. */
    public ServersTransportConfig(String serverName, Boolean insecureSkipVerify, List<String> rootCAs,
            List<Certificate> certificates, Integer maxIdleConnsPerHost, ForwardingTimeouts forwardingTimeouts,
            Boolean disableHTTP2, String peerCertURI, Object spiffe) {
        this(serverName, insecureSkipVerify, rootCAs, certificates, maxIdleConnsPerHost, forwardingTimeouts,
                disableHTTP2, peerCertURI, spiffe, null, null, null);
    }

    /**
     * A client certificate and its key, PEM files (or PEM text).
     *
     * @param certFile the certificate chain
     * @param keyFile the private key, PKCS#8 ({@code BEGIN PRIVATE KEY})
     */
    public record Certificate(String certFile, String keyFile) {
    }

    /**
     * {@code forwardingTimeouts}.
     *
     * @param dialTimeout connecting; default 30s
     * @param responseHeaderTimeout waiting for the response headers once the request is sent; default 0 (none)
     * @param idleConnTimeout how long an idle connection stays in the pool; default 90s
     * @param readIdleTimeout accepted for compatibility (HTTP/2 pings are not sent)
     * @param pingTimeout accepted for compatibility
     */
    public record ForwardingTimeouts(Duration dialTimeout, Duration responseHeaderTimeout, Duration idleConnTimeout,
            Duration readIdleTimeout, Duration pingTimeout) {
    }
}
