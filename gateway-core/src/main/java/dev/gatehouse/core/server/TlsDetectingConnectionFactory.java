package dev.gatehouse.core.server;

import dev.gatehouse.core.tcp.TcpDialer;
import dev.gatehouse.core.tcp.TcpEntryPointRoutes;
import dev.gatehouse.core.tcp.TcpMatch;
import dev.gatehouse.core.tcp.TcpRoute;
import dev.gatehouse.core.tcp.TcpTunnel;
import dev.gatehouse.core.tls.ClientHello;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import dev.gatehouse.core.tls.TlsPolicy;
import java.nio.ByteBuffer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.BufferUtil;

/**
 * The first protocol of every entry point: reads the first bytes of a connection and continues it as plain HTTP
 * (HTTP/1.1, or h2c with prior knowledge) or, on a TLS ClientHello, as TLS with the options that the ClientHello's
 * server name selects ({@link dev.gatehouse.core.tls.TlsRuntime}). One port thus serves the routers with and
 * without {@code tls}, as a Traefik entry point does; a connection pays for the detection once, not per request.
 * TCP routers get their say first ({@link TcpEntryPointRoutes}): a connection one of them takes becomes a
 * {@link TcpTunnel}, after the gateway's own TLS handshake or with its TLS passed through untouched.
 */
final class TlsDetectingConnectionFactory extends AbstractConnectionFactory {

    static final String PROTOCOL = "gatehouse-detect";
    /** A ClientHello is one record of at most 16 KiB plus its header. */
    private static final int MAX_HELLO = 16 * 1024 + 5;

    private final Function<ClientHello, TlsPolicy> policies;
    private final String plainProtocol;
    private final TcpRouters tcp;

    /**
     * The TCP routers that may take a connection before HTTP does ({@link TcpEntryPointRoutes} says which way a
     * connection goes), read from the current runtime, and what connects their tunnels to servers.
     */
    interface TcpRouters {
        TcpEntryPointRoutes of(int entryPointIndex);

        TcpDialer dialer();
    }

    /**
     * @param policies the TLS options for a ClientHello (read from the current runtime)
     * @param plainProtocol the connector's protocol for everything that is not TLS
     */
    TlsDetectingConnectionFactory(Function<ClientHello, TlsPolicy> policies, String plainProtocol) {
        this(policies, plainProtocol, null);
    }

    /** @param tcp the TCP routers; null when the entry points serve HTTP only */
    TlsDetectingConnectionFactory(Function<ClientHello, TlsPolicy> policies, String plainProtocol, TcpRouters tcp) {
        super(PROTOCOL);
        this.policies = policies;
        this.plainProtocol = plainProtocol;
        this.tcp = tcp;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        return configure(new Detection(endPoint, connector), connector, endPoint);
    }

    /**
     * Non-blocking, so a connection's first bytes are read on the selector thread, as its later requests are: with
     * {@link SelectorHandling} plain HTTP continues there, with no hand-off to a pool thread, which was a context
     * switch per new connection. What may take long goes to the pool: a TLS connection (its ClientHello is answered
     * with the handshake's costliest step) and a TCP router's tunnel (it connects to a server).
     */
    final class Detection extends AbstractConnection.NonBlocking
            implements Connection.UpgradeFrom, Connection.UpgradeTo {
        private final Connector connector;
        private ByteBuffer buffer = BufferUtil.allocate(2048);

        Detection(EndPoint endPoint, Connector connector) {
            super(endPoint, connector.getExecutor());
            this.connector = connector;
        }

        @Override
        public void onOpen() {
            super.onOpen();
            try {
                // A plain TCP router alone on its entry point takes the connection before the client speaks, for the
                // protocols whose server speaks first (SMTP, MySQL, SSH), as in Traefik.
                TcpEntryPointRoutes routes = tcpRoutes();
                if (routes.routesBeforeFirstByte()) {
                    TcpRoute route = routes.matchPlain(new TcpMatch(null, List.of(), clientAddress(), localPort()));
                    if (route != null) {
                        upgradeOnPool(() -> tunnel(route, getEndPoint()));
                        return;
                    }
                }
                // Bytes a PROXY protocol reader read past its header are here already (onUpgradeTo).
                if (buffer.hasRemaining() && decide()) {
                    return;
                }
            } catch (Throwable failure) {
                getEndPoint().close(failure);
                return;
            }
            fillInterested();
        }

        @Override
        public void onUpgradeTo(ByteBuffer prefilled) {
            if (BufferUtil.hasContent(prefilled)) {
                if (BufferUtil.space(buffer) < prefilled.remaining()) {
                    ByteBuffer larger = BufferUtil.allocate(buffer.remaining() + prefilled.remaining());
                    BufferUtil.append(larger, buffer);
                    buffer = larger;
                }
                BufferUtil.append(buffer, prefilled);
            }
        }

        @Override
        public void onFillable() {
            try {
                while (true) {
                    int filled = getEndPoint().fill(buffer);
                    if (filled < 0) {
                        getEndPoint().close();
                        return;
                    }
                    if (decide()) {
                        return;
                    }
                    if (filled == 0) {
                        fillInterested();
                        return;
                    }
                }
            } catch (Throwable failure) {
                getEndPoint().close(failure);
            }
        }

        /** Upgrades when the bytes so far are enough to decide; false to read more. */
        private boolean decide() {
            if (buffer.remaining() == 0) {
                return false;
            }
            if (!ClientHello.isTls(buffer)) {
                TcpEntryPointRoutes routes = tcpRoutes();
                TcpRoute route = routes.isEmpty() ? null
                        : routes.matchPlain(new TcpMatch(null, List.of(), clientAddress(), localPort()));
                if (route != null) {
                    upgradeOnPool(() -> tunnel(route, getEndPoint()));
                    return true;
                }
                ConnectionFactory plain = connector.getConnectionFactory(plainProtocol);
                if (SelectorHandling.ENABLED) {
                    getEndPoint().upgrade(plain.newConnection(connector, getEndPoint()));
                } else {
                    upgradeOnPool(() -> plain.newConnection(connector, getEndPoint()));
                }
                return true;
            }
            int needed = ClientHello.needed(buffer);
            if (buffer.remaining() < needed && needed <= MAX_HELLO) {
                if (BufferUtil.space(buffer) < needed - buffer.remaining()) {
                    ByteBuffer larger = BufferUtil.allocate(needed);
                    BufferUtil.append(larger, buffer);
                    buffer = larger;
                }
                return false;
            }
            upgradeOnPool(this::afterClientHello);
            return true;
        }

        /** The connection a whole ClientHello in the buffer continues as: TLS for HTTP or a TCP router, or a tunnel. */
        private Connection afterClientHello() {
            ClientHello hello = ClientHello.parse(buffer);
            TlsPolicy policy = policies.apply(hello);
            TcpEntryPointRoutes routes = tcpRoutes();
            // An ACME TLS-ALPN-01 validation is the gateway's own, whatever the TCP routers say (as in Traefik).
            TcpRoute route = routes.isEmpty() || hello.alpn().contains(TlsPolicy.ACME_TLS_1) ? null
                    : routes.matchTls(new TcpMatch(hello.serverName(), hello.alpn(), clientAddress(), localPort()));
            if (route == null) {
                return policy.newConnection(connector, getEndPoint());
            }
            if (route.mode() == TcpRoute.Mode.PASSTHROUGH) {
                return tunnel(route, getEndPoint());
            }
            return policy.newConnection(connector, getEndPoint(), decrypted -> tunnel(route, decrypted));
        }

        /** Makes the next connection and upgrades to it on a pool thread (see the class comment); a failure closes. */
        private void upgradeOnPool(Supplier<Connection> next) {
            getExecutor().execute(() -> {
                try {
                    getEndPoint().upgrade(next.get());
                } catch (Throwable failure) {
                    getEndPoint().close(failure);
                }
            });
        }

        private TcpEntryPointRoutes tcpRoutes() {
            if (tcp == null || !(connector instanceof EntryPointConnector entryPoint)) {
                return TcpEntryPointRoutes.NONE;
            }
            return tcp.of(entryPoint.entryPoint().index());
        }

        private InetAddress clientAddress() {
            return getEndPoint().getRemoteSocketAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        }

        private int localPort() {
            return getEndPoint().getLocalSocketAddress() instanceof InetSocketAddress inet ? inet.getPort() : 0;
        }

        private Connection tunnel(TcpRoute route, EndPoint endPoint) {
            return TcpTunnel.clientConnection(endPoint, route.handler(), connector.getByteBufferPool(),
                    connector.getScheduler(), connector.getExecutor(), tcp.dialer(), route.name());
        }

        @Override
        public ByteBuffer onUpgradeFrom() {
            ByteBuffer unread = buffer;
            buffer = BufferUtil.EMPTY_BUFFER;
            return unread;
        }
    }
}
