package dev.gatehouse.core.server;

import dev.gatehouse.core.config.ProxyProtocolConfig;
import dev.gatehouse.core.http.IpRanges;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code entryPoints.<name>.proxyProtocol} on a connector: Jetty's PROXY protocol reader (v1 and v2, and a connection
 * without a header goes on as it is), followed by the trust check that Jetty leaves to its user. A header from a
 * connection whose own address is not in {@code trustedIPs} (and the entry point not {@code insecure}) is read and
 * discarded, and the connection keeps its own addresses, as Traefik's listener does (go-proxyproto's IGNORE policy):
 * so only a trusted load balancer can make the gateway see another client address. Everything that reads the client
 * address (forwarded headers and their trust, ipAllowList, the access log, rate limits, ClientIP rules) reads the
 * connection's, so it sees the address the check let through.
 *
 * <p>Connection-level and protocol-neutral: the factories go in front of whatever protocol the connector speaks next
 * (TLS detection and HTTP here; TCP routers later).
 */
public final class ProxyProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocol.class);

    /** The protocol name of the trust check in a connector's list of factories. */
    static final String TRUST_CHECK = "gatehouse-proxy-trust";

    private final IpRanges trustedIps;
    private final String trustedIpsText;
    private final boolean insecure;

    private ProxyProtocol(IpRanges trustedIps, String trustedIpsText, boolean insecure) {
        this.trustedIps = trustedIps;
        this.trustedIpsText = trustedIpsText;
        this.insecure = insecure;
    }

    /**
     * The PROXY protocol of an entry point, or null when it has none. Its {@code trustedIPs} were checked with the
     * static configuration ({@code StaticConfigurationLoader}), which names the key and where it was set.
     */
    public static ProxyProtocol of(ProxyProtocolConfig config) {
        if (config == null) {
            return null;
        }
        if (config.insecureOrDefault()) {
            return new ProxyProtocol(IpRanges.none(), "any client", true);
        }
        return new ProxyProtocol(IpRanges.parse(config.trustedIPs()), String.join(", ", config.trustedIPs()), false);
    }

    /** Whether a header from a connection with this peer address is believed. */
    boolean trusts(SocketAddress peer) {
        return insecure || peer instanceof InetSocketAddress inet && trustedIps.contains(inet.getAddress());
    }

    /** Says at start what the entry point believes (a warning with insecure, which lets any client pick its address). */
    void logEnabled(String entryPoint) {
        if (insecure) {
            LOG.warn("Entry point {}: PROXY protocol headers are believed from any client (proxyProtocol.insecure): "
                    + "every client can claim any address", entryPoint);
        } else {
            LOG.info("Entry point {}: PROXY protocol headers are believed from {}", entryPoint, trustedIpsText);
        }
    }

    /**
     * The factories to put first on a connector: the PROXY header reader, then the trust check, which continues
     * with {@code nextProtocol}.
     */
    ConnectionFactory[] connectionFactories(String nextProtocol) {
        return new ConnectionFactory[] {new ProxyConnectionFactory(TRUST_CHECK), new TrustCheck(nextProtocol)};
    }

    /**
     * Whether {@code connection} is still reading a PROXY header (or the first bytes that tell whether one comes):
     * the connection's first-request deadline covers that too, as Traefik's header read timeout is the entry
     * point's {@code readTimeout}. Jetty's connections of these kinds are not public, hence the names.
     */
    static boolean isReadingHeader(Connection connection) {
        String type = connection.getClass().getName();
        return type.startsWith("org.eclipse.jetty.server.ProxyConnectionFactory$")
                || type.startsWith("org.eclipse.jetty.server.DetectorConnectionFactory$");
    }

    /** Continues the connection as {@code next}, with the header's addresses only if its sender is trusted. */
    private final class TrustCheck extends AbstractConnectionFactory {
        private final String next;

        TrustCheck(String next) {
            super(TRUST_CHECK);
            this.next = next;
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            EndPoint effective = endPoint;
            if (endPoint instanceof ProxyConnectionFactory.ProxyEndPoint proxied) {
                EndPoint socket = proxied.unwrap();
                if (!trusts(socket.getRemoteSocketAddress())) {
                    // The header is consumed; the connection keeps the addresses of its socket (and claims no TLS).
                    effective = new ProxyConnectionFactory.ProxyEndPoint(socket, socket.getLocalSocketAddress(),
                            socket.getRemoteSocketAddress());
                }
            }
            return connector.getConnectionFactory(next).newConnection(connector, effective);
        }
    }
}
