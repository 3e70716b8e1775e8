package dev.gatehouse.core.server;

import dev.gatehouse.core.tls.ClientHello;
import dev.gatehouse.core.tls.TlsPolicy;
import java.nio.ByteBuffer;
import java.util.function.Function;
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
 */
final class TlsDetectingConnectionFactory extends AbstractConnectionFactory {

    static final String PROTOCOL = "gatehouse-detect";
    /** A ClientHello is one record of at most 16 KiB plus its header. */
    private static final int MAX_HELLO = 16 * 1024 + 5;

    private final Function<ClientHello, TlsPolicy> policies;
    private final String plainProtocol;

    /**
     * @param policies the TLS options for a ClientHello (read from the current runtime)
     * @param plainProtocol the connector's protocol for everything that is not TLS
     */
    TlsDetectingConnectionFactory(Function<ClientHello, TlsPolicy> policies, String plainProtocol) {
        super(PROTOCOL);
        this.policies = policies;
        this.plainProtocol = plainProtocol;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        return configure(new Detection(endPoint, connector), connector, endPoint);
    }

    final class Detection extends AbstractConnection implements Connection.UpgradeFrom, Connection.UpgradeTo {
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
                ConnectionFactory plain = connector.getConnectionFactory(plainProtocol);
                getEndPoint().upgrade(plain.newConnection(connector, getEndPoint()));
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
            TlsPolicy policy = policies.apply(ClientHello.parse(buffer));
            getEndPoint().upgrade(policy.newConnection(connector, getEndPoint()));
            return true;
        }

        @Override
        public ByteBuffer onUpgradeFrom() {
            ByteBuffer unread = buffer;
            buffer = BufferUtil.EMPTY_BUFFER;
            return unread;
        }
    }
}
