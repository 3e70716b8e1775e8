package dev.gatehouse.core.tcp;

import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.core.http.FailureLog;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects TCP tunnels to their servers, without blocking: one selector set for every TCP service, that lives as
 * long as the gateway (a reload changes no socket of it). The dial timeout is each transport's own.
 */
public final class TcpDialer extends ContainerLifeCycle {

    private static final Logger LOG = LoggerFactory.getLogger(TcpDialer.class);

    private final ClientConnector connector = new ClientConnector();
    public TcpDialer(Executor executor, Scheduler scheduler) {
        connector.setExecutor(executor);
        connector.setScheduler(scheduler);
        // The transports' own timers bound each dial; this only keeps a forgotten attempt from lasting forever.
        connector.setConnectTimeout(Duration.ofMinutes(10));
        connector.setIdleTimeout(Duration.ZERO);
        addBean(connector);
    }

    /**
     * Connects {@code tunnel} to {@code server}: on success the tunnel pumps both ways; on failure (or after
     * {@code timeout}, when positive) the client's connection is closed, as Traefik closes it. A server that is down
     * fails every connection routed to it: one line per router and server and window says so, with how many were
     * left out (FailureLog's windows), so that clients reconnecting in a loop cannot flood the log.
     *
     * @param prefix bytes for the server before the client's (a PROXY protocol header), or null
     * @param keepAlive whether TCP keep-alive probes are sent on the server connection
     * @param tls the TLS client when the server speaks TLS (the tunnel then carries the decrypted bytes), else null
     */
    void dial(TcpTunnel tunnel, TcpServices.Server server, Duration timeout, boolean keepAlive, ByteBuffer prefix,
            Duration terminationDelay) {
        SslContextFactory.Client tls = server.tls();
        String name = server.host() + ":" + server.port();
        AtomicBoolean settled = new AtomicBoolean();
        Scheduler.Task deadline = timeout.isZero() || timeout.isNegative() ? null
                : tunnel.scheduler().schedule(() -> {
                    if (settled.compareAndSet(false, true)) {
                        String leftOut = FailureLog.admit("tcp dial " + tunnel.router() + " " + name);
                        if (leftOut != null) {
                            LOG.warn("TCP router {}: connecting to server {} took longer than the dial timeout ({}); "
                                    + "the client's connection is closed{}", tunnel.router(), name, timeout, leftOut);
                        }
                        tunnel.close(new TimeoutException("connecting to " + name + " took longer than " + timeout));
                    }
                }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Object> context = new HashMap<>();
        context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
        ClientConnectionFactory tunnelSide = (endPoint, ignored) -> tunnel.serverConnection(endPoint, prefix,
                terminationDelay);
        ClientConnectionFactory connection = tls == null ? tunnelSide
                : connector.newSslClientConnectionFactory(tls, tunnelSide);
        context.put(ClientConnectionFactory.CONTEXT_KEY, (ClientConnectionFactory) (endPoint, ignored) -> {
            if (keepAlive && endPoint.getTransport() instanceof java.nio.channels.SocketChannel channel) {
                channel.setOption(java.net.StandardSocketOptions.SO_KEEPALIVE, true);
            }
            return connection.newConnection(endPoint, context);
        });
        context.put(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY, new Promise<Connection>() {
            @Override
            public void succeeded(Connection connection) {
                if (deadline != null) {
                    deadline.cancel();
                }
                if (settled.compareAndSet(false, true)) {
                    tunnel.connected(connection);
                } else {
                    connection.getEndPoint().close(); // too late: the client was told already
                }
            }

            @Override
            public void failed(Throwable failure) {
                if (deadline != null) {
                    deadline.cancel();
                }
                if (settled.compareAndSet(false, true)) {
                    String leftOut = FailureLog.admit("tcp dial " + tunnel.router() + " " + name);
                    if (leftOut != null) {
                        LOG.warn("TCP router {}: cannot connect to server {}: {}; the client's connection is closed{}",
                                tunnel.router(), name, FailureReasons.of(failure), leftOut);
                    }
                    tunnel.close(failure);
                }
            }
        });
        if (server.literal() != null) {
            connector.connect(server.literal(), context);
            return;
        }
        // A name: the lookup blocks, so it runs on a pool thread, not on the selector that accepted the client; the
        // dial timeout above covers it.
        connector.getExecutor().execute(() -> {
            if (settled.get()) {
                return;
            }
            InetSocketAddress resolved = new InetSocketAddress(server.host(), server.port());
            if (resolved.isUnresolved()) {
                promiseOf(context).failed(new java.net.UnknownHostException(server.host()));
            } else {
                connector.connect(resolved, context);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Promise<Connection> promiseOf(Map<String, Object> context) {
        return (Promise<Connection>) context.get(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY);
    }
}
