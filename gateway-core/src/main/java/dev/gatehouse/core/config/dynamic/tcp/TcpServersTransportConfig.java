package dev.gatehouse.core.config.dynamic.tcp;

import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import java.time.Duration;
import java.util.List;

/**
 * {@code tcp.serversTransports.<name>}: how the gateway connects to the servers of the TCP services that name it.
 *
 * @param dialTimeout how long connecting may take; default 30s, 0 for no limit
 * @param dialKeepAlive TCP keep-alive on server connections: enabled unless negative (the interval itself is the
 *     operating system's)
 * @param terminationDelay how long the other direction may go on once one side closed its writing; default 100ms,
 *     negative to wait for it without a limit
 * @param proxyProtocol send a PROXY protocol header (v1 or v2) naming the client before the first byte
 * @param tls how TLS to the servers whose {@code tls} is true is checked; absent: the JVM's trusted authorities and the
 *     server's host name
 */
public record TcpServersTransportConfig(Duration dialTimeout, Duration dialKeepAlive, Duration terminationDelay,
        TcpServiceConfig.ProxyProtocol proxyProtocol, Tls tls) {

    /**
     * @param serverName the server name sent (SNI) and checked in the certificate; default the address's host
     * @param insecureSkipVerify accept any server certificate
     * @param rootCAs PEM files (or PEM text) of the authorities trusted for servers; default the JVM's
     * @param certificates client certificates presented to servers (mTLS)
     */
    public record Tls(String serverName, Boolean insecureSkipVerify, List<String> rootCAs,
            List<ServersTransportConfig.Certificate> certificates) {
        public Tls {
            rootCAs = rootCAs == null ? List.of() : List.copyOf(rootCAs);
            certificates = certificates == null ? List.of() : List.copyOf(certificates);
        }

        /** The same settings as an HTTP servers transport's, to build the TLS client the same way. */
        public ServersTransportConfig asHttpTransport() {
            return new ServersTransportConfig(serverName, insecureSkipVerify, rootCAs, certificates, null, null, null,
                    null, null);
        }
    }
}
