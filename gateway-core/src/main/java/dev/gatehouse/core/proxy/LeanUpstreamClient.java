package dev.gatehouse.core.proxy;

import dev.gatehouse.api.net.IpBlock;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.tracing.Tracing;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own {@link UpstreamClient} on Jetty's lower-level pieces (its {@link ClientConnector}, {@link HttpParser}
 * behind a {@link ResponseReader}, and buffer pool), for the requests that are the bulk of an edge's traffic: about a fifth less CPU per request than
 * Jetty's {@code HttpClient} (issue 18). The default; {@code -Dgatehouse.leanUpstream=false} turns it off.
 *
 * <p>It handles body-less {@code GET}/{@code HEAD} requests from HTTP/1.x clients to plain {@code http://} servers,
 * untraced (see {@code handles}), with its transport's dialTimeout, responseHeaderTimeout, idleConnTimeout and
 * maxIdleConnsPerHost. The request head is written in one write from a pooled buffer; the response is parsed on the
 * selector thread (the connection is non-blocking) and its body written to the client chunk by chunk, reading from
 * the server again only when the client took the previous chunk. Connections are kept per server and reused
 * last-in first-out; one the server closed while it sat idle is replaced once. What the client and the outcome see
 * is what {@link JettyUpstreamClient} gives them (LeanUpstreamClientTest compares both), but for a {@code 101} the
 * request did not ask for (502, as in Traefik). Everything else (bodies, upgrades, h2c, https, traced requests,
 * probes, mirroring) goes to the {@link JettyUpstreamClient} it wraps.
 */
public final class LeanUpstreamClient extends ContainerLifeCycle implements UpstreamClient {

    /** The system property that turns this client off ({@code false}: Jetty's client for everything), read once. */
    public static final String PROPERTY = "gatehouse.leanUpstream";
    private static final boolean SELECTED = Boolean.parseBoolean(System.getProperty(PROPERTY, "true"));
    private static final Logger LOG = LoggerFactory.getLogger(LeanUpstreamClient.class);
    /** Room for a response head (Jetty's HttpClient has 32 KiB too) and body chunks read from the server. */
    private static final int READ_BUFFER = 32 * 1024;
    /** What Go's transport (and so Traefik) keeps when maxIdleConnsPerHost is 0. */
    private static final int GO_DEFAULT_MAX_IDLE_CONNS_PER_HOST = 2;

    private final JettyUpstreamClient delegate;
    private final UpstreamSettings settings;
    private final ClientConnector connector;
    /** Idle connections by server address ({@code host:port}). */
    private final Map<String, IdlePool> pools = new ConcurrentHashMap<>();
    /** Idle connections kept per server (maxIdleConnsPerHost as Go reads it). */
    private final int maxIdle;
    /** Connections per server beyond which requests go through Jetty's client (its own limit). */
    private final int maxConnections;

    /** This client around {@code delegate}, or {@code delegate} itself when {@value #PROPERTY} is {@code false}. */
    public static UpstreamClient selectFor(JettyUpstreamClient delegate, UpstreamSettings settings, Executor executor) {
        return SELECTED ? new LeanUpstreamClient(delegate, settings, executor) : delegate;
    }

    LeanUpstreamClient(JettyUpstreamClient delegate, UpstreamSettings settings, Executor executor) {
        this.delegate = delegate;
        this.settings = settings;
        int configured = settings.maxIdleConnsPerHost();
        maxIdle = configured == 0 ? GO_DEFAULT_MAX_IDLE_CONNS_PER_HOST : Math.max(0, configured);
        maxConnections = delegate.maxConnectionsPerServer();
        connector = new ClientConnector();
        connector.setSelectors(1);
        if (executor != null) {
            connector.setExecutor(executor);
        }
        connector.setConnectTimeout(settings.dialTimeout());
        connector.setIdleTimeout(settings.idleConnTimeout());
        addBean(delegate);
        addBean(connector);
    }

    @Override
    protected void doStart() throws Exception {
        if (connector.getExecutor() == null) {
            // Without an executor given (a http.serversTransports entry's client), the threads of Jetty's client
            // it wraps, rather than a second pool of its own.
            delegate.start();
            connector.setExecutor(delegate.executor());
        }
        super.doStart();
    }

    /**
     * Whether this client sends the request itself rather than through the delegate: a body-less GET or HEAD from an
     * HTTP/1.x client to a plain HTTP/1.1 server, untraced, whose target is ASCII (as the client sent it), while the
     * server has fewer connections than Jetty's client would open to it. Everything else keeps Jetty's client.
     */
    private boolean handles(Request clientToProxy, UpstreamServer server, String target) {
        if (server.h2c() || !"http".equals(server.scheme())) {
            return false;
        }
        for (int i = 0; i < target.length(); i++) {
            if (target.charAt(i) > 0x7E || target.charAt(i) <= 0x20) {
                return false;   // written as Jetty's generator writes it, through the delegate
            }
        }
        String method = clientToProxy.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            return false;
        }
        if (clientToProxy.getConnectionMetaData().getHttpVersion().getVersion() >= 20) {
            return false;
        }
        HttpFields headers = clientToProxy.getHeaders();
        // A body (as JettyUpstreamClient's requestBody sees one for HTTP/1), an upgrade, or trailers the client takes.
        if (clientToProxy.getLength() > 0 || headers.contains(HttpHeader.TRANSFER_ENCODING)
                || (clientToProxy.getLength() < 0 && headers.contains(HttpHeader.CONTENT_TYPE))
                || headers.contains(HttpHeader.UPGRADE) || ConnectionHeader.acceptsTrailers(headers)) {
            return false;
        }
        return !Tracing.isTraced(clientToProxy);
    }

    @Override
    public void forward(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server,
            boolean passHostHeader, Outcome outcome) {
        String target = server.target(clientToProxy.getHttpURI().getPathQuery());
        if (!handles(clientToProxy, server, target) || pool(server).atConnectionLimit()) {
            delegate.forward(clientToProxy, proxyToClient, callback, server, passHostHeader, outcome);
            return;
        }
        Exchange exchange = new Exchange(clientToProxy, proxyToClient, callback, server, target, passHostHeader, outcome);
        clientToProxy.addFailureListener(exchange::clientToProxyFailed);
        send(exchange, false);
    }

    /** Sends on an idle connection to the exchange's server, or a new one ({@code fresh}, after a stale one). */
    private void send(Exchange exchange, boolean fresh) {
        IdlePool pool = pool(exchange.server);
        ServerConnection idle = fresh ? null : pool.take();
        if (idle != null) {
            idle.send(exchange, true);
            return;
        }
        pool.opened();
        Map<String, Object> context = new HashMap<>();
        context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
        context.put(ClientConnectionFactory.CONTEXT_KEY, (ClientConnectionFactory) (endPoint, ctx) ->
                new ServerConnection(endPoint, connector.getExecutor(), pool, exchange));
        String host = exchange.server.host();
        int port = exchange.server.port();
        byte[] literal = IpBlock.address(host);
        if (literal != null) {
            // An address already: connected to at once, on this thread, as no name is looked up.
            connect(exchange, pool, List.of(new InetSocketAddress(address(literal), port)), 0, context);
            return;
        }
        // A name: looked up as Jetty's client looks it up, by its resolver (on its threads, within its address
        // resolution timeout), never on this thread, which may be a selector's. A name that does not resolve fails
        // as a connection that cannot be made does.
        delegate.socketAddressResolver().resolve(host, port, context, new Promise<List<InetSocketAddress>>() {
            @Override
            public void succeeded(List<InetSocketAddress> addresses) {
                connect(exchange, pool, addresses, 0, context);
            }

            @Override
            public void failed(Throwable failure) {
                pool.closed();
                exchange.failBeforeResponse(failure, true);
            }
        });
    }

    /** Connects to the server's addresses in turn until one takes the connection, as Jetty's client does. */
    private void connect(Exchange exchange, IdlePool pool, List<InetSocketAddress> addresses, int index,
            Map<String, Object> context) {
        context.put(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY, new Promise<Connection>() {
            @Override
            public void failed(Throwable failure) {
                if (index + 1 < addresses.size()) {
                    connect(exchange, pool, addresses, index + 1, context);
                    return;
                }
                pool.closed();
                exchange.failBeforeResponse(failure, true);
            }
        });
        InetSocketAddress address = addresses.get(index);
        // On the selector of the client's entry point when it takes it: one thread then serves both sides.
        if (!(exchange.clientToProxy.getConnectionMetaData().getConnector() instanceof UpstreamSelectors local)
                || !local.connect(address, context, settings.dialTimeout(), settings.idleConnTimeout())) {
            connector.connect(address, context);
        }
    }

    /**
     * Closes the idle connections: those opened on an entry point's selector are not the connector's, which closes
     * its own as it stops. A connection in use is closed when its exchange ends ({@link ServerConnection#release}).
     */
    @Override
    protected void doStop() throws Exception {
        for (IdlePool pool : pools.values()) {
            for (ServerConnection idle; (idle = pool.take()) != null; ) {
                idle.getEndPoint().close();
            }
        }
        super.doStop();
    }

    private static InetAddress address(byte[] literal) {
        try {
            return InetAddress.getByAddress(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);   // not 4 or 16 bytes: IpBlock.address gives no such thing
        }
    }

    private IdlePool pool(UpstreamServer server) {
        return pools.computeIfAbsent(server.authority(), IdlePool::new);
    }

    /** How many idle connections to {@code server} the pool holds (for tests). */
    int idleConnections(UpstreamServer server) {
        IdlePool pool = pools.get(server.authority());
        return pool == null ? 0 : pool.size();
    }

    /** How many servers have connections of this client, idle or busy (for tests: none once they all closed). */
    int serversWithConnections() {
        return pools.size();
    }

    @Override
    public void probe(String method, String url, String host, Map<String, String> headers, Duration timeout,
            boolean followRedirects, IntConsumer status) {
        delegate.probe(method, url, host, headers, timeout, followRedirects, status);
    }

    @Override
    public void probeGrpc(String host, int port, Duration timeout, IntConsumer servingStatus) {
        delegate.probeGrpc(host, port, timeout, servingStatus);
    }

    @Override
    public void sendCopy(String method, String pathQuery, HttpFields headers, byte[] body, UpstreamServer server) {
        delegate.sendCopy(method, pathQuery, headers, body, server);
    }

    /**
     * The connections to one server: the idle ones, the most recently used first, at most maxIdleConnsPerHost of
     * them (as Go's transport: 0 keeps its default of 2, a negative number none); and how many are open. It leaves
     * the map when its last connection closes, so a server removed from the configuration leaves nothing behind.
     */
    private final class IdlePool {
        private final String authority;
        private final ArrayDeque<ServerConnection> idle = new ArrayDeque<>();
        /** Connections opened or being opened, not yet closed. */
        private int open;

        IdlePool(String authority) {
            this.authority = authority;
        }

        synchronized ServerConnection take() {
            return idle.pollFirst();
        }

        /** Keeps {@code connection} for reuse; false when the pool is full. */
        synchronized boolean offer(ServerConnection connection) {
            if (idle.size() >= maxIdle) {
                return false;
            }
            idle.addFirst(connection);
            return true;
        }

        synchronized int size() {
            return idle.size();
        }

        synchronized void remove(ServerConnection connection) {
            idle.remove(connection);
        }

        /**
         * Whether as many connections are open as Jetty's client opens to one server: then the request goes through
         * Jetty's client, which queues it, rather than opening connections without end.
         */
        synchronized boolean atConnectionLimit() {
            return open >= maxConnections;
        }

        synchronized void opened() {
            open++;
            if (pools.get(authority) != this) {
                pools.putIfAbsent(authority, this);   // taken out when its last connection closed meanwhile
            }
        }

        synchronized void closed() {
            open--;
            if (open <= 0 && idle.isEmpty()) {
                pools.remove(authority, this);
            }
        }
    }

    /** One request forwarded to a server, from sending its head to the last byte written to the client. */
    private final class Exchange {
        final Request clientToProxy;
        final Response proxyToClient;
        final Callback callback;
        final UpstreamServer server;
        /** The request target sent to the server (its base path, then the client's raw path and query). */
        final String target;
        final boolean passHostHeader;
        Outcome outcome;
        /** Set once the client's side failed while the server was at work, so the connection is closed. */
        volatile Throwable clientSideFailure;
        /** The connection while it carries this exchange, to close when the client fails. */
        volatile ServerConnection connection;
        /** Whether the final response's head arrived (the responseHeaderTimeout stops there). */
        volatile boolean headersReceived;
        /** The responseHeaderTimeout's task while it runs. */
        volatile Scheduler.Task headerTimeout;

        Exchange(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server, String target,
                boolean passHostHeader, Outcome outcome) {
            this.clientToProxy = clientToProxy;
            this.proxyToClient = proxyToClient;
            this.callback = callback;
            this.server = server;
            this.target = target;
            this.passHostHeader = passHostHeader;
            this.outcome = outcome;
        }

        /** The client's request failed while nothing wrote to it (see JettyUpstreamClient's listener). */
        void clientToProxyFailed(Throwable failure) {
            if (ErrorResponses.isTimeout(failure)) {
                return;
            }
            clientSideFailure = failure;
            ServerConnection carrier = connection;
            if (carrier != null) {
                carrier.getEndPoint().close(failure);
            }
        }

        /**
         * The exchange failed on the server's side, while {@code connecting} or after: answered as JettyUpstreamClient
         * answers it (502/504 while nothing of the response reached the client, after asking the service for another
         * server when this one could not be reached), unless the client's side had failed first.
         */
        void failBeforeResponse(Throwable failure, boolean connecting) {
            if (clientSideFailure != null) {
                clientFailed(clientSideFailure);
                return;
            }
            ProxyToServerFailure.answer(clientToProxy, proxyToClient, callback, server, outcome, failure,
                    connecting && JettyUpstreamClient.isUnreachable(failure), null,
                    next -> forward(clientToProxy, proxyToClient, callback, next, passHostHeader, outcome));
        }

        void clientFailed(Throwable failure) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("C2P {} {} failed on the client's side: {}", clientToProxy.getMethod(),
                        clientToProxy.getHttpURI().getPathQuery(), failure.toString());
            }
            if (outcome != null) {
                outcome.clientFailed(failure);
            }
            ErrorResponses.clientFailed(clientToProxy, proxyToClient, callback, failure);
        }

        /**
         * Starts responseHeaderTimeout once the request is sent (as Go's ResponseHeaderTimeout and Jetty's client
         * path): when it passes before the response's head, the connection closes and the client gets a 504.
         */
        void startHeaderTimeout(ServerConnection carrier) {
            long millis = settings.responseHeaderTimeout().toMillis();
            if (millis <= 0 || headersReceived) {
                return;
            }
            headerTimeout = connector.getScheduler().schedule(() -> {
                if (!headersReceived) {
                    carrier.timedOut(this, new TimeoutException("no response headers from " + server.url()
                            + " within " + settings.responseHeaderTimeout() + " of sending the request"));
                }
            }, millis, TimeUnit.MILLISECONDS);
            if (headersReceived) {
                cancelHeaderTimeout();   // they came while it was being scheduled
            }
        }

        void cancelHeaderTimeout() {
            Scheduler.Task task = headerTimeout;
            if (task != null) {
                task.cancel();
            }
        }

        void succeeded() {
            if (outcome != null) {
                outcome.completed(null);
            }
            callback.succeeded();
        }
    }

    /**
     * A keep-alive HTTP/1.1 connection to a server, carrying one exchange at a time. Non-blocking: the selector
     * thread parses the response and writes its chunks to the client itself.
     */
    private final class ServerConnection extends AbstractConnection.NonBlocking
            implements HttpParser.ResponseHandler, Callback {

        private static final int IDLE = 0;
        private static final int WRITING = 1;
        private static final int WRITE_DONE = 2;
        private static final int WRITE_PENDING = 3;

        private final IdlePool pool;
        private final ResponseReader parser = new ResponseReader(this, delegate.maxResponseHeadersSize(),
                delegate.responseCompliance());
        private final ByteBufferPool buffers = connector.getByteBufferPool();
        /** The exchange of the response being read; null while idle. Set before the request's write. */
        private volatile Exchange exchange;
        /** The first exchange, sent once the connection opens. */
        private Exchange first;
        private RetainableByteBuffer readBuffer;
        private HttpFields.Mutable responseHeaders;
        private HttpFields.Mutable trailers;
        private int status;
        private boolean closeAfter;
        /** Counts down the request's write and the response's end: see {@link #passReleaseGate}. */
        private final AtomicInteger releaseGate = new AtomicInteger();
        /** Whether the connection may carry another exchange once the gate opens (written before the last pass). */
        private volatile boolean reusableAfter;
        /** Whether the parser has just told the end of the (final) response, for {@link #finish} to act on. */
        private boolean complete;
        /** Whether the response just parsed was an interim one (1xx), to skip. */
        private boolean interim;
        /** Whether the exchange reused an idle connection: it may be replaced once if the server had closed it. */
        private boolean reused;
        /** Whether any byte of the response arrived (then the exchange is not sent again). */
        private boolean responseBegun;
        /** Whether the last chunk went to the client with the body (the whole Content-Length is written). */
        private boolean lastWritten;
        /** Whether a body chunk's write to the client is in flight or just completed (see {@link #succeeded}). */
        private final AtomicInteger writeState = new AtomicInteger(IDLE);

        ServerConnection(EndPoint endPoint, Executor executor, IdlePool pool, Exchange first) {
            super(endPoint, executor);
            this.pool = pool;
            this.first = first;
        }

        @Override
        public void onOpen() {
            super.onOpen();
            Exchange exchange = first;
            first = null;
            send(exchange, false);
        }

        /** Writes the request's head in one write; the connection is fill interested already or will be. */
        void send(Exchange exchange, boolean reused) {
            this.reused = reused;
            status = 0;
            complete = false;
            interim = false;
            responseBegun = false;
            lastWritten = false;
            closeAfter = false;
            responseHeaders = HttpFields.build();
            trailers = null;
            parser.reset(HttpMethod.HEAD.is(exchange.clientToProxy.getMethod()));
            exchange.connection = this;
            releaseGate.set(2);
            this.exchange = exchange;
            RetainableByteBuffer head;
            try {
                head = requestHead(exchange);
            } catch (RuntimeException e) {
                this.exchange = null;
                getEndPoint().close(e);
                exchange.failBeforeResponse(e, false);
                return;
            }
            if (!reused) {
                fillInterested();
            }
            getEndPoint().write(new Callback() {
                @Override
                public void succeeded() {
                    head.release();
                    exchange.startHeaderTimeout(ServerConnection.this);
                    passReleaseGate();
                }

                @Override
                public void failed(Throwable failure) {
                    head.release();
                    getEndPoint().close(failure);
                }

                @Override
                public InvocationType getInvocationType() {
                    return InvocationType.NON_BLOCKING;
                }
            }, head.getByteBuffer());
        }

        private RetainableByteBuffer requestHead(Exchange exchange) {
            Request clientToProxy = exchange.clientToProxy;
            HttpFields.Mutable headers = HttpFields.build();
            JettyUpstreamClient.copyRequestHeaders(clientToProxy, headers, exchange.server, exchange.passHostHeader,
                    false);
            // The request has no body: Jetty's client leaves out a client's "Content-Length: 0" too.
            headers.remove(HttpHeader.CONTENT_LENGTH);
            String target = exchange.target;
            String method = clientToProxy.getMethod();
            int size = method.length() + target.length() + 16;
            for (HttpField field : headers) {
                size += field.getName().length() + field.getValue().length() + 4;
            }
            RetainableByteBuffer head = buffers.acquire(size, true);
            ByteBuffer buffer = head.getByteBuffer();
            int position = BufferUtil.flipToFill(buffer);
            putAscii(buffer, method);
            buffer.put((byte) ' ');
            putAscii(buffer, target);
            buffer.put(HTTP_11_CRLF);
            HttpGenerator.putTo(headers, buffer);
            BufferUtil.flipToFlush(buffer, position);
            return head;
        }

        @Override
        public void onFillable() {
            process();
        }

        /** The thread in {@link #process} now, if any (see {@link #onClose}). */
        private volatile Thread reader;

        /**
         * Reads and parses until the response needs more bytes (then fill interested), a body chunk's write to the
         * client is pending (then its callback goes on), or the response ended.
         */
        private void process() {
            reader = Thread.currentThread();
            try {
                while (true) {
                    Exchange current = exchange;
                    if (current == null) {
                        readWhileIdle();
                        return;
                    }
                    // Parsed even when empty: after a body chunk's write the parser may only have its end to tell.
                    boolean stop = parser.parseNext(readBuffer == null ? BufferUtil.EMPTY_BUFFER : readBuffer.getByteBuffer());
                    if (complete) {
                        finish(current);
                        return;
                    }
                    if (exchange != current) {
                        return;   // the response ended or failed
                    }
                    if (stop && interim) {
                        // An interim response (103) ended: dropped; the final one follows on this connection.
                        interim = false;
                        parser.reset(HttpMethod.HEAD.is(current.clientToProxy.getMethod()));
                        responseHeaders = HttpFields.build();
                        continue;
                    }
                    if (stop) {
                        if (awaitWrite()) {
                            return;
                        }
                        continue;
                    }
                    // The parser took every byte it was given and needs more.
                    if (readBuffer == null) {
                        readBuffer = buffers.acquire(READ_BUFFER, true);
                    }
                    ByteBuffer buffer = readBuffer.getByteBuffer();
                    BufferUtil.clear(buffer);
                    int filled = getEndPoint().fill(buffer);
                    if (filled > 0) {
                        responseBegun = true;
                        continue;
                    }
                    if (filled == 0) {
                        releaseReadBuffer();
                        fillInterested();
                        return;
                    }
                    // A body that ends with the connection ends now; any other response was cut short.
                    closeAfter = true;
                    parser.atEOF();
                    parser.parseNext(BufferUtil.EMPTY_BUFFER);
                    if (complete) {
                        finish(current);
                    } else if (exchange == current) {
                        fail(new EofException("the server closed the connection"));
                    }
                    return;
                }
            } catch (Throwable failure) {
                fail(failure);
            } finally {
                reader = null;
            }
        }

        /** Idle in the pool: the server closed the connection or sent what nobody asked for. */
        private void readWhileIdle() throws IOException {
            if (readBuffer == null) {
                readBuffer = buffers.acquire(READ_BUFFER, true);
            }
            ByteBuffer buffer = readBuffer.getByteBuffer();
            BufferUtil.clear(buffer);
            int filled = getEndPoint().fill(buffer);
            if (filled == 0) {
                releaseReadBuffer();
                fillInterested();
                return;
            }
            if (filled > 0 && exchange != null) {
                // Taken from the pool as the response arrived: it is that exchange's response.
                responseBegun = true;
                process();
                return;
            }
            // Closed by the server, or bytes nobody asked for: useless. An exchange that took it meanwhile is sent
            // again on a new connection (see fail).
            pool.remove(this);
            getEndPoint().close();
        }

        /**
         * After a body chunk's write to the client began: true when it is still pending (its callback goes on
         * reading), false when it already completed (this thread goes on).
         */
        private boolean awaitWrite() {
            if (writeState.compareAndSet(WRITING, WRITE_PENDING)) {
                return true;
            }
            writeState.set(IDLE);
            return false;
        }

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            this.status = status;
            if (version != HttpVersion.HTTP_1_1) {
                closeAfter = true;
            }
            Exchange current = exchange;
            if (status >= 200 && current != null && current.outcome != null) {
                // At the status line, as Jetty's client tells it: a response whose head turns out malformed began.
                current.outcome.responseBegun(status);
            }
        }

        @Override
        public void parsedHeader(HttpField field) {
            if (field.getHeader() == HttpHeader.CONNECTION && field.contains(HttpHeaderValue.CLOSE.asString())) {
                closeAfter = true;
            }
            responseHeaders.add(field);
        }

        @Override
        public void parsedTrailer(HttpField field) {
            if (trailers == null) {
                trailers = HttpFields.build();
            }
            trailers.add(field);
        }

        @Override
        public boolean headerComplete() {
            if (status == 101) {
                // As Go's reverse proxy (and so Traefik): the request asked for no upgrade, so none can be passed on.
                fail(new IOException("the server switched protocols though the request asked for no upgrade"));
                return true;
            }
            if (status < 200) {
                return false;   // an interim response (103): dropped, the final one follows
            }
            Exchange current = exchange;
            if (current == null) {
                return true;   // failed meanwhile (responseHeaderTimeout): the connection is closing
            }
            current.headersReceived = true;
            current.cancelHeaderTimeout();
            Response proxyToClient = current.proxyToClient;
            proxyToClient.setStatus(status);
            JettyUpstreamClient.copyResponseHeaders(responseHeaders, proxyToClient);
            if (JettyUpstreamClient.passesTrailers(responseHeaders, current.clientToProxy)) {
                proxyToClient.setTrailersSupplier(() -> trailers == null || trailers.size() == 0 ? null : trailers);
            }
            return false;
        }

        @Override
        public boolean content(ByteBuffer chunk) {
            if (!chunk.hasRemaining()) {
                return false;
            }
            long length = parser.getContentLength();
            // The whole Content-Length in hand: written as the last write, with the head when it is the only chunk.
            boolean last = length >= 0 && parser.getContentRead() >= length;
            lastWritten = last;
            writeState.set(WRITING);
            exchange.proxyToClient.write(last, chunk, this);
            return true;
        }

        /** The client took a body chunk: go on reading, on this thread if {@link #process} is not still running. */
        @Override
        public void succeeded() {
            if (!writeState.compareAndSet(WRITING, WRITE_DONE)) {
                writeState.set(IDLE);
                process();
            }
        }

        /** The client stopped taking the body: the server's connection cannot be reused. */
        @Override
        public void failed(Throwable failure) {
            writeState.set(IDLE);
            Exchange current = takeExchange();
            getEndPoint().close(failure);
            if (current != null) {
                current.clientFailed(failure);
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            if (status < 200) {
                interim = true;
            } else {
                complete = true;
            }
            return true;
        }

        /**
         * The response was read whole: its end goes to the client, then the connection back to the pool. Only once
         * the parser has returned, so that the next exchange on this connection never meets a parser still at work.
         */
        private void finish(Exchange expected) {
            complete = false;
            Exchange current = takeExchange();
            if (current != expected) {
                return;   // failed meanwhile (the client went away), and answered then
            }
            boolean reusable = !closeAfter && (readBuffer == null || !readBuffer.hasRemaining());
            Callback ended = new Callback() {
                @Override
                public void succeeded() {
                    reusableAfter = reusable;
                    passReleaseGate();
                    current.succeeded();
                }

                @Override
                public void failed(Throwable failure) {
                    getEndPoint().close(failure);
                    current.clientFailed(failure);
                }

                @Override
                public InvocationType getInvocationType() {
                    return InvocationType.NON_BLOCKING;
                }
            };
            if (lastWritten) {
                // The body's last chunk was the last write and has completed (or this was called after it did).
                ended.succeeded();
            } else {
                current.proxyToClient.write(true, BufferUtil.EMPTY_BUFFER, ended);
            }
        }

        /**
         * The request's write and the response each pass once; the second back to the pool. The response can end
         * before the thread that wrote the request has left the write, and a write on the connection before that
         * would be refused (WritePendingException).
         */
        private void passReleaseGate() {
            if (releaseGate.decrementAndGet() == 0) {
                release(reusableAfter);
            }
        }

        /** Back to the pool, fill interested to hear of its closing; or closed. */
        private void release(boolean reusable) {
            releaseReadBuffer();
            if (reusable && getEndPoint().isOpen() && LeanUpstreamClient.this.isRunning() && pool.offer(this)) {
                fillInterested();
            } else {
                getEndPoint().close();
            }
        }

        @Override
        public void earlyEOF() {
            fail(new EofException("the server closed the connection before the end of its response"));
        }

        @Override
        public void badMessage(HttpException failure) {
            // Logged with the parser's reason, as Jetty's client's failure (whose innermost message it is).
            fail(new IOException("the server's response is malformed", (Throwable) failure));
        }

        private synchronized Exchange takeExchange() {
            Exchange current = exchange;
            exchange = null;
            if (current != null) {
                current.connection = null;
                current.cancelHeaderTimeout();
            }
            return current;
        }

        private void releaseReadBuffer() {
            RetainableByteBuffer buffer = readBuffer;
            if (buffer != null && !buffer.hasRemaining()) {
                readBuffer = null;
                buffer.release();
            }
        }

        /**
         * responseHeaderTimeout passed for {@code expected}: it fails with the timeout itself (a 504), before the
         * connection's closing could tell the selector thread of an end of stream (a 502).
         */
        void timedOut(Exchange expected, TimeoutException timeout) {
            if (exchange == expected) {
                fail(timeout);
            }
        }

        /** The exchange on this connection failed; the connection closes. */
        private void fail(Throwable failure) {
            Exchange current = takeExchange();
            getEndPoint().close(failure);
            if (current == null) {
                return;
            }
            if (current.clientSideFailure != null) {
                current.clientFailed(current.clientSideFailure);
            } else if (reused && !responseBegun && !ErrorResponses.isTimeout(failure)) {
                // The server closed the idle connection as the request went out: once more on a new one.
                if (LOG.isDebugEnabled()) {
                    LOG.debug("Stale connection to {}, sending again on a new one: {}", current.server.url(),
                            failure.toString());
                }
                LeanUpstreamClient.this.send(current, true);
            } else {
                // A 502/504 while nothing was written to the client, else the response is broken off.
                current.failBeforeResponse(failure, false);
            }
        }

        @Override
        public void onClose(Throwable cause) {
            super.onClose(cause);
            pool.remove(this);
            pool.closed();
            // The read buffer goes back to the pool only when no other thread is reading into it or parsing it (a
            // close from the client's side or the responseHeaderTimeout can come while the selector thread does);
            // else it is left to the garbage collector.
            RetainableByteBuffer buffer = readBuffer;
            Thread reading = reader;
            if (buffer != null && writeState.get() == IDLE && (reading == null || reading == Thread.currentThread())) {
                readBuffer = null;
                buffer.release();
            }
            if (exchange != null) {
                fail(cause == null ? new EofException("the server closed the connection") : cause);
            }
        }

        @Override
        public boolean onIdleExpired(TimeoutException timeout) {
            // idleConnTimeout is for connections that wait in the pool; a request waits for its response as long
            // as it takes (as JettyUpstreamClient's requests, which have no idle timeout).
            if (exchange != null) {
                return false;
            }
            pool.remove(this);
            return true;
        }
    }

    private static final byte[] HTTP_11_CRLF = " HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static void putAscii(ByteBuffer buffer, String text) {
        for (int i = 0; i < text.length(); i++) {
            buffer.put((byte) text.charAt(i));
        }
    }
}
