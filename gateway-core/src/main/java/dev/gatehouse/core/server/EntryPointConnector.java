package dev.gatehouse.core.server;

import dev.gatehouse.api.ForwardedHeaders;
import dev.gatehouse.core.http.EntryPoint;
import dev.gatehouse.core.tls.TlsHandshake;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.NegotiatingServerConnection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;

/** The listening socket of one entry point; requests find their entry point through it without a lookup. */
final class EntryPointConnector extends ServerConnector implements EntryPoint.Holder, ForwardedHeaders.Source {

    private final EntryPoint entryPoint;
    private final EntryPointTimeouts timeouts;

    EntryPointConnector(Server server, EntryPoint entryPoint, EntryPointTimeouts timeouts, ConnectionFactory... factories) {
        super(server, 1, -1, factories);
        this.entryPoint = entryPoint;
        this.timeouts = timeouts;
        setName(entryPoint.name());
        // Between requests only: GuardedHttpConnection keeps it out of the reading and handling of one.
        setIdleTimeout(timeouts.idleTimeout().toMillis());
    }

    @Override
    protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key)
            throws IOException {
        if (!SelectorHandling.ENABLED) {
            return super.newEndPoint(channel, selector, key);
        }
        SocketChannelEndPoint endPoint = new ClientSocketEndPoint(channel, selector, key, getScheduler());
        endPoint.setIdleTimeout(getIdleTimeout());
        return endPoint;
    }

    /** The entry point's time and keep-alive limits. */
    EntryPointTimeouts timeouts() {
        return timeouts;
    }

    /**
     * The read deadline of each new connection's first request, counted from the connection's opening as Go
     * counts it: it covers telling TLS from plain HTTP, the TLS handshake and the first request's head, where a
     * client sending nothing, or a byte at a time, otherwise held the connection for as long as it kept the idle
     * timeout at bay. Later requests' heads are timed by {@link GuardedHttpConnection}.
     */
    private final Map<EndPoint, Scheduler.Task> firstRequestDeadlines = new ConcurrentHashMap<>();

    @Override
    protected void onEndPointOpened(EndPoint endPoint) {
        super.onEndPointOpened(endPoint);
        long readTimeout = timeouts.readTimeout().toMillis();
        if (readTimeout > 0) {
            firstRequestDeadlines.put(endPoint, getScheduler().schedule(() -> onFirstRequestDeadline(endPoint),
                    readTimeout, TimeUnit.MILLISECONDS));
        }
    }

    @Override
    protected void onEndPointClosed(EndPoint endPoint) {
        Scheduler.Task deadline = firstRequestDeadlines.remove(endPoint);
        if (deadline != null) {
            deadline.cancel();
        }
        super.onEndPointClosed(endPoint);
    }

    private void onFirstRequestDeadline(EndPoint endPoint) {
        firstRequestDeadlines.remove(endPoint);
        if (endPoint.isOpen() && !hasReceivedARequest(endPoint.getConnection())) {
            endPoint.close(new TimeoutException("no request within the read timeout of the connection's opening"));
        }
    }

    /** Whether a request's head has arrived on the connection (a snapshot; read from another thread). */
    static boolean hasReceivedARequest(Connection connection) {
        if (connection instanceof SslConnection ssl) {
            if (!TlsHandshake.done(ssl)) {
                return false;   // still in the TLS handshake: the read timeout bounds it, whatever opens after it
            }
            connection = ssl.getSslEndPoint().getConnection();
        }
        if (connection instanceof HttpConnection http1) {
            return http1.getMessagesIn() > 0;
        }
        if (connection instanceof HTTP2Connection http2) {
            return http2.getMessagesIn() > 0;
        }
        // Still reading a PROXY header, telling TLS from plain HTTP, or negotiating the protocol in the handshake: nothing yet. Any other
        // connection took over after a request (an upgraded WebSocket tunnel): never cut here.
        return !(connection instanceof TlsDetectingConnectionFactory.Detection
                || connection instanceof NegotiatingServerConnection || ProxyProtocol.isReadingHeader(connection));
    }

    @Override
    public EntryPoint entryPoint() {
        return entryPoint;
    }

    @Override
    public boolean trustsForwardedHeaders(Request request) {
        return entryPoint.forwardedHeaders().trusts(request);
    }
}
