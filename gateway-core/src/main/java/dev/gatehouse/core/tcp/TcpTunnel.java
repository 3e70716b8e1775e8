package dev.gatehouse.core.tcp;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection through the gateway: the client's side ({@code clientToProxy}, the connection a TCP router
 * took) and, once its service connected one, the server's side ({@code proxyToServer}). Bytes are pumped both
 * ways with non-blocking reads and writes: each side reads only when its last chunk has been written to the
 * other, so a slow reader holds back its writer instead of filling memory, and no thread ever waits.
 *
 * <p>Half-close: when one side ends its stream, the gateway ends its writing to the other side, which may still
 * answer for {@code terminationDelay} (Traefik's default 100 ms; negative: without a limit) before both are
 * closed. A tunnel holds nothing of the configuration it was routed with: a reload leaves it open.
 */
public final class TcpTunnel {

    private static final Logger LOG = LoggerFactory.getLogger(TcpTunnel.class);
    /** What one read moves at most; Go's io.Copy, which Traefik pumps with, uses 32 KiB. */
    private static final int CHUNK = 32 * 1024;

    private final Side client;
    private final java.util.concurrent.Executor executor;
    private final ByteBufferPool buffers;
    private final Scheduler scheduler;
    private final TcpDialer dialer;
    private final String router;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Runnable> onClose = new ArrayList<>();
    /** Bytes the client sent before the tunnel was made: the peeked ClientHello of a passed-through connection. */
    private ByteBuffer clientPrefix;
    private volatile Side server;
    private Duration terminationDelay = Duration.ofMillis(100);

    private TcpTunnel(EndPoint clientEndPoint, ByteBufferPool buffers, Scheduler scheduler,
            java.util.concurrent.Executor executor, TcpDialer dialer, String router) {
        this.buffers = buffers;
        this.dialer = dialer;
        this.scheduler = scheduler;
        this.router = router;
        this.clientPrefix = BufferUtil.EMPTY_BUFFER;
        this.executor = executor;
        this.client = new Side(clientEndPoint, executor, "clientToProxy");
    }

    /**
     * The connection that takes over a client's endpoint for a TCP router; once opened, it hands the tunnel to
     * {@code handler}. Bytes already read from the client (a peeked ClientHello to pass through) come to it by
     * {@link EndPoint#upgrade}, and are forwarded first.
     */
    public static Connection clientConnection(EndPoint endPoint, TcpHandler handler, ByteBufferPool buffers,
            Scheduler scheduler, java.util.concurrent.Executor executor, TcpDialer dialer, String router) {
        TcpTunnel tunnel = new TcpTunnel(endPoint, buffers, scheduler, executor, dialer, router);
        tunnel.client.starter = handler;
        return tunnel.client;
    }

    /** The router that took the connection, for logs. */
    public String router() {
        return router;
    }

    /** The client's address (the one a trusted PROXY protocol header named). */
    public SocketAddress clientAddress() {
        return client.getEndPoint().getRemoteSocketAddress();
    }

    /** The address the client connected to. */
    public SocketAddress localAddress() {
        return client.getEndPoint().getLocalSocketAddress();
    }

    /** What connects the tunnel to a server. */
    public TcpDialer dialer() {
        return dialer;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Runs {@code action} once, when the tunnel closes (at once if it is closed already). */
    public void onClose(Runnable action) {
        synchronized (onClose) {
            if (!closed.get()) {
                onClose.add(action);
                return;
            }
        }
        action.run();
    }

    /**
     * Makes the server's side: a connection for the endpoint that the service connected to a server.
     *
     * @param prefix bytes sent to the server before the client's (a PROXY protocol header), or null
     * @param terminationDelay how long the other direction may go on after one side ended its stream
     */
    public Connection serverConnection(EndPoint endPoint, ByteBuffer prefix, Duration terminationDelay) {
        this.terminationDelay = terminationDelay;
        Side side = new Side(endPoint, executor, "proxyToServer");
        if (prefix != null && prefix.hasRemaining()) {
            ByteBuffer joined = BufferUtil.allocate(prefix.remaining() + clientPrefix.remaining());
            BufferUtil.append(joined, prefix);
            BufferUtil.append(joined, clientPrefix);
            clientPrefix = joined;
        }
        return side;
    }

    /**
     * The server's side is open: sends what the client sent before, then pumps both ways. Over TLS the connection
     * is the TLS one, whose decrypted side is the tunnel's; the handshake runs with the first write.
     */
    public void connected(Connection serverSide) {
        Connection inner = serverSide instanceof SslConnection ssl ? ssl.getSslEndPoint().getConnection() : serverSide;
        Side side = (Side) inner;
        server = side;
        side.peer = client;
        client.peer = side;
        if (closed.get()) {
            side.getEndPoint().close();
            return;
        }
        ByteBuffer prefix = clientPrefix;
        clientPrefix = BufferUtil.EMPTY_BUFFER;
        if (prefix.hasRemaining()) {
            side.getEndPoint().write(Callback.from(Invocable.InvocationType.NON_BLOCKING, this::pump, this::close),
                    prefix);
        } else {
            pump();
        }
    }

    private void pump() {
        client.fillInterested();
        server.fillInterested();
    }

    /** Closes both sides (once); {@code failure} is logged at DEBUG. */
    public void close(Throwable failure) {
        if (failure != null && LOG.isDebugEnabled()) {
            LOG.debug("TCP connection of router {} from {} ends: {}", router, clientAddress(), failure.toString());
        }
        close();
    }

    public void close() {
        List<Runnable> actions;
        synchronized (onClose) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            actions = List.copyOf(onClose);
            onClose.clear();
        }
        client.getEndPoint().close();
        Side serverSide = server;
        if (serverSide != null) {
            serverSide.getEndPoint().close();
        }
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("Closing a TCP connection of router {}: {}", router, e.toString());
            }
        }
    }

    /**
     * One direction's reader: reads its endpoint, writes to the peer's. Non-blocking throughout (a read, then a
     * write that completes later), so the selector runs it itself instead of handing each wake-up to a thread.
     */
    private final class Side extends AbstractConnection.NonBlocking implements Connection.UpgradeTo {
        private final String direction;
        private volatile Side peer;
        private volatile boolean ended;
        /** Set on the client's side only: what runs when it opens. */
        private TcpHandler starter;

        Side(EndPoint endPoint, java.util.concurrent.Executor executor, String direction) {
            super(endPoint, executor);
            this.direction = direction;
        }

        @Override
        public void onUpgradeTo(ByteBuffer prefilled) {
            if (BufferUtil.hasContent(prefilled)) {
                ByteBuffer copy = BufferUtil.allocate(prefilled.remaining());
                BufferUtil.append(copy, prefilled);
                clientPrefix = copy;
            }
        }

        @Override
        public void onOpen() {
            super.onOpen();
            // A tunnel may be idle for hours (a database connection between queries), as in Traefik.
            getEndPoint().setIdleTimeout(0);
            if (starter != null) {
                try {
                    starter.handle(TcpTunnel.this);
                } catch (RuntimeException e) {
                    LOG.warn("TCP router {}: {}", router, e.toString());
                    TcpTunnel.this.close();
                }
            }
        }

        /**
         * Moves one chunk. The pooled buffer is held only from the read to the end of its write, by this path
         * alone, so closing from another thread never hands back a buffer that a read or write still uses.
         */
        @Override
        public void onFillable() {
            RetainableByteBuffer chunk = buffers.acquire(CHUNK, true);
            ByteBuffer bytes = chunk.getByteBuffer();
            BufferUtil.clear(bytes);
            int filled;
            try {
                filled = getEndPoint().fill(bytes);
            } catch (Throwable failure) {
                chunk.release();
                TcpTunnel.this.close(failure);
                return;
            }
            if (filled > 0) {
                peer.getEndPoint().write(Callback.from(Invocable.InvocationType.NON_BLOCKING, () -> {
                    chunk.release();
                    fillInterested();
                }, failure -> {
                    chunk.release();
                    TcpTunnel.this.close(failure);
                }), bytes);
                return;
            }
            chunk.release();
            if (filled == 0) {
                fillInterested();
            } else {
                ended();
            }
        }

        /** This side's stream ended: end the writing to the peer, and close once both are done or after the delay. */
        private void ended() {
            ended = true;
            Side other = peer;
            if (other == null) {
                return; // no server yet: the pump reads the end again once it is connected
            }
            if (other.ended) {
                TcpTunnel.this.close();
                return;
            }
            other.getEndPoint().shutdownOutput();
            long delay = terminationDelay.toMillis();
            if (delay >= 0) {
                scheduler.schedule(TcpTunnel.this::close, delay, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onClose(Throwable cause) {
            super.onClose(cause);
            TcpTunnel.this.close(cause);
        }

        @Override
        public String toConnectionString() {
            return "TcpTunnel." + direction + "[" + router + "]";
        }
    }

    /** The client's address as an {@link InetSocketAddress}, or null for another kind (a Unix socket). */
    public InetSocketAddress clientInetAddress() {
        return clientAddress() instanceof InetSocketAddress inet ? inet : null;
    }
}
