package dev.gatehouse.core.server;

import dev.gatehouse.api.ForwardedHeaders;
import dev.gatehouse.core.http.EntryPoint;
import dev.gatehouse.core.proxy.UpstreamSelectors;
import dev.gatehouse.core.tls.TlsHandshake;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.NegotiatingServerConnection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.IO;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Scheduler;

/** The listening socket of one entry point; requests find their entry point through it without a lookup. */
final class EntryPointConnector extends ServerConnector
        implements EntryPoint.Holder, ForwardedHeaders.Source, UpstreamSelectors {

    /** The context key of an upstream connection's idle timeout (milliseconds): present on upstream connections only. */
    private static final String UPSTREAM_IDLE_TIMEOUT = EntryPointConnector.class.getName() + ".upstreamIdleTimeout";

    private final EntryPoint entryPoint;
    private final EntryPointTimeouts timeouts;
    /** Held while the selector manager's connect timeout is set for one connect (connectWithin). */
    private final Object connectTimeoutLock = new Object();

    EntryPointConnector(Server server, EntryPoint entryPoint, EntryPointTimeouts timeouts, ConnectionFactory... factories) {
        super(server, 1, -1, factories);
        this.entryPoint = entryPoint;
        this.timeouts = timeouts;
        setName(entryPoint.name());
        // Between requests only: GuardedHttpConnection keeps it out of the reading and handling of one.
        setIdleTimeout(timeouts.idleTimeout().toMillis());
    }

    @Override
    protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
        return new EntryPointSelectors(executor, scheduler, selectors);
    }

    /**
     * Opens a connection to a server on this entry point's selector, as Jetty's {@code ClientConnector} would on its
     * own: the thread that reads a client's request then also reads the server's response (UpstreamSelectors).
     */
    @Override
    public boolean connect(InetSocketAddress address, Map<String, Object> context, Duration connectTimeout,
            Duration idleTimeout) {
        if (!SelectorHandling.ENABLED || !isRunning()) {
            return false;
        }
        context.put(ClientConnector.REMOTE_SOCKET_ADDRESS_CONTEXT_KEY, address);
        context.put(UPSTREAM_IDLE_TIMEOUT, idleTimeout.isNegative() ? 0L : idleTimeout.toMillis());
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            if (channel.connect(address)) {
                getSelectorManager().accept(channel, context);
            } else {
                connectWithin(channel, context, connectTimeout);
            }
        } catch (IOException | RuntimeException e) {
            IO.close(channel);
            promise(context).failed(e);
        }
        return true;
    }

    /**
     * Queues the connect with the selector manager, timed by {@code timeout}. Jetty's manager times every connect
     * with its one connect timeout, read as the connect is queued: it is set to this connection's for the call, under
     * a lock (connects only, not requests, take it). None is a day: Jetty needs one, and the kernel gives up on an
     * unanswered connect within minutes.
     */
    private void connectWithin(SocketChannel channel, Map<String, Object> context, Duration timeout) {
        long millis = timeout.compareTo(Duration.ZERO) > 0 ? timeout.toMillis() : TimeUnit.DAYS.toMillis(1);
        SelectorManager manager = getSelectorManager();
        synchronized (connectTimeoutLock) {
            manager.setConnectTimeout(millis);
            manager.connect(channel, context);
        }
    }

    @SuppressWarnings("unchecked")
    private static Promise<Connection> promise(Map<String, Object> context) {
        return (Promise<Connection>) context.get(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY);
    }

    /** An upstream connection's context, or null for a connection the entry point accepted. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> upstreamContext(Object attachment) {
        return attachment instanceof Map<?, ?> context && context.containsKey(UPSTREAM_IDLE_TIMEOUT)
                ? (Map<String, Object>) context : null;
    }

    /** A connection to a server on the entry point's selector: none of the entry point's accounting applies. */
    private static final class UpstreamEndPoint extends SocketChannelEndPoint {
        UpstreamEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler) {
            super(channel, selector, key, scheduler);
        }
    }

    /**
     * The entry point's selector manager, which also makes the endpoints and connections of the upstream connections
     * opened on it ({@link #connect}), and keeps them out of the entry point's hooks: its connection count, its
     * first-request deadline, its listeners.
     */
    private final class EntryPointSelectors extends ServerConnectorManager {

        EntryPointSelectors(Executor executor, Scheduler scheduler, int selectors) {
            super(executor, scheduler, selectors);
        }

        /**
         * Sets an accepted connection up on the selector thread, as nginx's event loop does, instead of the pool
         * thread Jetty hands it to: making its endpoint and its first connection (the entry point's detection, which
         * reads without blocking) takes microseconds, and the hand-off was a context switch per new connection.
         * The accept is the one task Jetty executes that is also a selector update; its other tasks (the selector's
         * own loop, a finished connect, a closed endpoint) go to the pool as before.
         */
        @Override
        protected void execute(Runnable task) {
            if (SelectorHandling.ENABLED && task instanceof ManagedSelector.SelectorUpdate) {
                task.run();
            } else {
                super.execute(task);
            }
        }

        @Override
        protected SocketChannelEndPoint newEndPoint(SelectableChannel channel, ManagedSelector selector,
                SelectionKey key) throws IOException {
            Map<String, Object> context = upstreamContext(key.attachment());
            if (context == null) {
                return super.newEndPoint(channel, selector, key);
            }
            SocketChannelEndPoint endPoint = new UpstreamEndPoint((SocketChannel) channel, selector, key,
                    getScheduler());
            endPoint.setIdleTimeout((Long) context.get(UPSTREAM_IDLE_TIMEOUT));
            return endPoint;
        }

        @Override
        public Connection newConnection(SelectableChannel channel, EndPoint endPoint, Object attachment)
                throws IOException {
            Map<String, Object> context = upstreamContext(attachment);
            if (context == null) {
                return super.newConnection(channel, endPoint, attachment);
            }
            ClientConnectionFactory factory = (ClientConnectionFactory) context.get(ClientConnectionFactory.CONTEXT_KEY);
            return factory.newConnection(endPoint, context);
        }

        @Override
        public void connectionOpened(Connection connection, Object attachment) {
            super.connectionOpened(connection, attachment);
            Map<String, Object> context = upstreamContext(attachment);
            if (context != null) {
                promise(context).succeeded(connection);
            }
        }

        /** A connect that failed or timed out (told once by Jetty). */
        @Override
        protected void connectionFailed(SelectableChannel channel, Throwable failure, Object attachment) {
            if (!failedUpstream(attachment, failure)) {
                super.connectionFailed(channel, failure, attachment);
            }
        }

        /** A connection that was made at once, whose endpoint or connection could not be made. */
        @Override
        protected void onAcceptFailed(SelectableChannel channel, Throwable failure, Object attachment) {
            if (!failedUpstream(attachment, failure)) {
                super.onAcceptFailed(channel, failure, attachment);
            }
        }

        /** Tells an upstream connection's promise of its failure; false for a connection the entry point accepted. */
        private boolean failedUpstream(Object attachment, Throwable failure) {
            Map<String, Object> context = upstreamContext(attachment);
            if (context == null) {
                return false;
            }
            promise(context).failed(failure);
            return true;
        }

        @Override
        protected void endPointOpened(EndPoint endPoint) {
            if (!(endPoint instanceof UpstreamEndPoint)) {
                super.endPointOpened(endPoint);
            }
        }

        @Override
        protected void endPointClosed(EndPoint endPoint) {
            if (!(endPoint instanceof UpstreamEndPoint)) {
                super.endPointClosed(endPoint);
            }
        }
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
