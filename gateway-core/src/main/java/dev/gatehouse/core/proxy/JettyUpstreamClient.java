package dev.gatehouse.core.proxy;

import dev.gatehouse.api.ForwardedHeaders;
import dev.gatehouse.core.http.EntryPoint;
import dev.gatehouse.core.http.EntryPointForwardedHeaders;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.http.ForwardedHeadersPolicy;
import dev.gatehouse.core.tracing.ClientSpan;
import dev.gatehouse.core.tracing.Tracing;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link UpstreamClient} on Jetty's {@link HttpClient}: pooled HTTP/1.1 keep-alive connections per server,
 * bodies streamed both ways with demand (a chunk is read from one side only when the other side has
 * taken the previous one), so memory stays flat whatever the body size.
 *
 * <p>Names follow the direction of travel, as Jetty's own proxy does: client-to-proxy request,
 * proxy-to-server request, server-to-proxy response, proxy-to-client response.
 */
public final class JettyUpstreamClient extends ContainerLifeCycle implements UpstreamClient {

    private static final Logger LOG = LoggerFactory.getLogger(JettyUpstreamClient.class);

    /** Hop-by-hop headers (RFC 9110 7.6.1) plus Expect, which Jetty answers towards the client itself. */
    private static final EnumSet<HttpHeader> HOP_HEADERS = EnumSet.of(HttpHeader.CONNECTION, HttpHeader.KEEP_ALIVE,
            HttpHeader.PROXY_AUTHORIZATION, HttpHeader.PROXY_AUTHENTICATE, HttpHeader.PROXY_CONNECTION,
            HttpHeader.TRANSFER_ENCODING, HttpHeader.TE, HttpHeader.TRAILER, HttpHeader.UPGRADE, HttpHeader.EXPECT);

    /** The largest response head a server may send (status line and headers), in bytes; larger ones are a 502. */
    public static final int MAX_RESPONSE_HEAD = 64 * 1024;

    private final HttpClient httpClient;
    private final UpstreamSettings settings;

    private final boolean http2;
    private final ClientConnector connector;

    public JettyUpstreamClient(UpstreamSettings settings, Executor executor) {
        this(settings, executor, null, true);
    }

    /**
     * @param ssl how to talk TLS to {@code https} servers; null for the JVM's defaults
     * @param http2 whether {@code h2c://} servers get HTTP/2 (prior knowledge); else HTTP/1.1
     */
    public JettyUpstreamClient(UpstreamSettings settings, Executor executor, SslContextFactory.Client ssl, boolean http2) {
        this.settings = settings;
        this.http2 = http2;
        ClientConnector connector = new ClientConnector();
        this.connector = connector;
        if (ssl != null) {
            connector.setSslContextFactory(ssl);
        }
        // One selector: on the few cores an edge box has, more selectors only add context switches.
        connector.setSelectors(1);
        if (executor != null) {
            connector.setExecutor(executor);
        }
        connector.setConnectTimeout(settings.dialTimeout());
        connector.setIdleTimeout(settings.idleConnTimeout());
        // HTTP/1.1 for http and https servers (the version is set on each request, so no ALPN is needed), HTTP/2
        // with prior knowledge for h2c ones.
        ClientConnectionFactory.Info http11 = HttpClientConnectionFactory.HTTP11;
        httpClient = new HttpClient(http2
                ? new HttpClientTransportDynamic(connector, http11, new ClientConnectionFactoryOverHTTP2.HTTP2(new HTTP2Client(connector)))
                : new HttpClientTransportDynamic(connector, http11));
        httpClient.setName("gatehouse-upstream");
        httpClient.setFollowRedirects(false);
        httpClient.setHttpCookieStore(new HttpCookieStore.Empty());
        httpClient.setUserAgentField(null);
        httpClient.setConnectTimeout(settings.dialTimeout().toMillis());
        httpClient.setIdleTimeout(settings.idleConnTimeout().toMillis());
        // Traefik sets no cap on connections per server; the pool keeps maxIdleConnsPerHost of them.
        httpClient.setMaxConnectionsPerDestination(Math.max(1024, settings.maxIdleConnsPerHost()));
        httpClient.setMaxRequestsQueuedPerDestination(4096);
        // Room for every request header an entry point accepts (16 KiB) plus the forwarding headers; Jetty's
        // default of 4 KiB failed such requests with 502. Response headers get as much.
        httpClient.setRequestBufferSize(32 * 1024);
        httpClient.setResponseBufferSize(32 * 1024);
        // A server's response head is held in memory whole: without a bound (Jetty's default) one hostile or broken
        // server could make the gateway read headers without end. nginx fails heads over its 4-8 KiB buffer;
        // 64 KiB leaves room for large cookies and security policies.
        httpClient.setMaxResponseHeadersSize(MAX_RESPONSE_HEAD);
        addBean(httpClient);
    }

    /** The threads of this client (once started). */
    Executor executor() {
        return httpClient.getExecutor();
    }

    /** How this client looks its servers' names up (once started): off the calling thread, within a timeout. */
    SocketAddressResolver socketAddressResolver() {
        return httpClient.getSocketAddressResolver();
    }

    /** Looks server names up with {@code resolver} rather than Jetty's default (before start; for tests, without DNS). */
    void resolveNamesWith(SocketAddressResolver resolver) {
        httpClient.setSocketAddressResolver(resolver);
    }

    /** How many connections to one server this client opens at most (it queues requests beyond). */
    int maxConnectionsPerServer() {
        return httpClient.getMaxConnectionsPerDestination();
    }

    /** The limit on a response's head that this client's parser applies (-1 for none but memory). */
    int maxResponseHeadersSize() {
        return httpClient.getMaxResponseHeadersSize();
    }

    /** How strictly this client's parser reads responses. */
    org.eclipse.jetty.http.HttpCompliance responseCompliance() {
        return httpClient.getHttpCompliance();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // The proxy passes bodies and interim responses through untouched: no decoding, no
        // 100-continue or redirect handling by the client itself.
        httpClient.getContentDecoderFactories().clear();
        httpClient.getProtocolHandlers().clear();
    }

    @Override
    public void forward(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server,
            boolean passHostHeader, Outcome outcome) {
        // One span for the request to the servers, however many are tried for it (unreachable ones).
        ClientSpan span = Tracing.clientSpan(clientToProxy, server);
        forward(clientToProxy, proxyToClient, span == null ? callback : span.ending(callback, proxyToClient), server,
                passHostHeader, outcome, requestBody(clientToProxy), span);
    }

    private void forward(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server,
            boolean passHostHeader, Outcome outcome, ClientRequestBody body, ClientSpan span) {
        if (body == null && !server.h2c() && "http".equals(server.scheme()) && UpgradeTunnel.isUpgrade(clientToProxy)) {
            // A tunnel is not a request in flight: it is not counted, retried or held against the server.
            if (outcome != null) {
                outcome.completed(null);
            }
            HttpFields.Mutable headers = HttpFields.build();
            copyRequestHeaders(clientToProxy, headers, server, passHostHeader);
            if (span != null) {
                span.inject(headers);
            }
            UpgradeTunnel.open(connector, httpClient.getExecutor(), clientToProxy, proxyToClient, callback, server,
                    server.target(clientToProxy.getHttpURI().getPathQuery()), headers);
            return;
        }
        org.eclipse.jetty.client.Request proxyToServer = httpClient.newRequest(server.host(), server.port())
                .scheme(server.scheme())
                .method(clientToProxy.getMethod())
                .path(server.target(clientToProxy.getHttpURI().getPathQuery()));
        proxyToServer.version(server.h2c() && http2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
        // idleConnTimeout is for pooled connections that wait for a request (as in Traefik), not for a request
        // that waits for its response: that wait is responseHeaderTimeout's, without limit by default.
        proxyToServer.idleTimeout(0, TimeUnit.MILLISECONDS);
        proxyToServer.headers(headers -> {
            copyRequestHeaders(clientToProxy, headers, server, passHostHeader);
            if (span != null) {
                span.inject(headers);
            }
        });
        if (body != null) {
            proxyToServer.body(body);
        }
        ServerToProxyListener listener = new ServerToProxyListener(this, clientToProxy, proxyToServer, proxyToClient,
                callback, server, passHostHeader, outcome, body, span);
        clientToProxy.addFailureListener(listener::clientToProxyFailed);
        long headerTimeout = settings.responseHeaderTimeout().toMillis();
        if (headerTimeout > 0) {
            // As Go's ResponseHeaderTimeout: counted from the end of the request, body included, so a slow
            // upload is not cut short.
            proxyToServer.onRequestSuccess(sent -> listener.startHeaderTimeout(httpClient.getScheduler(),
                    () -> proxyToServer.abort(new TimeoutException("no response headers from " + server.url()
                            + " within " + settings.responseHeaderTimeout() + " of sending the request")),
                    headerTimeout));
        }
        proxyToServer.send(listener);
    }

    /**
     * True when the failure says the server was never reached: the connection was refused or could not be made, or
     * the server's name does not exist. (A lookup that timed out is a timeout, as a connection that timed out is.)
     */
    static boolean isUnreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException || cause instanceof java.net.NoRouteToHostException
                    || cause instanceof java.nio.channels.UnresolvedAddressException) {
                return true;
            }
            if (cause instanceof java.net.UnknownHostException) {
                return !ErrorResponses.isTimeout(failure);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    @Override
    public void probe(String method, String url, String host, Map<String, String> headers, Duration timeout,
            boolean followRedirects, IntConsumer status) {
        probe(method, url, host, headers, timeout, followRedirects ? 10 : 0, status);
    }

    private void probe(String method, String url, String host, Map<String, String> headers, Duration timeout,
            int redirectsLeft, IntConsumer status) {
        org.eclipse.jetty.client.Request check;
        try {
            check = httpClient.newRequest(url).method(method).version(HttpVersion.HTTP_1_1)
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            status.accept(-1);
            return;
        }
        check.headers(h -> {
            headers.forEach(h::put);
            if (host != null && !host.isEmpty()) {
                h.put(HttpHeader.HOST, host);
            }
        });
        check.send(result -> {
            if (result.isFailed()) {
                status.accept(-1);
                return;
            }
            int code = result.getResponse().getStatus();
            String location = result.getResponse().getHeaders().get(HttpHeader.LOCATION);
            if (redirectsLeft > 0 && code >= 300 && code < 400 && location != null) {
                String next;
                try {
                    next = java.net.URI.create(url).resolve(location).toString();
                } catch (IllegalArgumentException e) {
                    status.accept(-1);
                    return;
                }
                probe(method, next, null, headers, timeout, redirectsLeft - 1, status);
                return;
            }
            status.accept(code);
        });
    }

    @Override
    public void probeGrpc(String host, int port, Duration timeout, IntConsumer servingStatus) {
        org.eclipse.jetty.client.Request check;
        try {
            String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            check = httpClient.newRequest("http://" + authority + ":" + port + GrpcHealth.PATH)
                    .method(HttpMethod.POST).version(HttpVersion.HTTP_2)
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .headers(h -> h.put("te", "trailers"))
                    .body(new org.eclipse.jetty.client.BytesRequestContent(GrpcHealth.CONTENT_TYPE, GrpcHealth.REQUEST));
        } catch (RuntimeException e) {
            servingStatus.accept(-1);
            return;
        }
        check.send(new org.eclipse.jetty.client.BufferingResponseListener(GrpcHealth.MAX_RESPONSE_BYTES) {
            @Override
            public void onComplete(Result result) {
                if (result.isFailed()) {
                    servingStatus.accept(-1);
                    return;
                }
                org.eclipse.jetty.client.Response response = result.getResponse();
                HttpFields trailers = response.getTrailers();
                String grpcStatus = trailers != null && trailers.get(GrpcHealth.STATUS_HEADER) != null
                        ? trailers.get(GrpcHealth.STATUS_HEADER) : response.getHeaders().get(GrpcHealth.STATUS_HEADER);
                servingStatus.accept(response.getStatus() == 200 && "0".equals(grpcStatus)
                        ? GrpcHealth.servingStatus(getContent()) : -1);
            }
        });
    }

    @Override
    public void sendCopy(String method, String pathQuery, HttpFields headers, byte[] body, UpstreamServer server) {
        org.eclipse.jetty.client.Request copy = httpClient.newRequest(server.host(), server.port())
                .scheme(server.scheme())
                .method(method)
                .path(server.target(pathQuery));
        copy.version(server.h2c() && http2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
        copy.headers(h -> {
            for (HttpField field : headers) {
                HttpHeader header = field.getHeader();
                if (header != null && (HOP_HEADERS.contains(header) || header == HttpHeader.CONTENT_LENGTH)) {
                    continue;
                }
                h.add(field);
            }
        });
        if (body != null) {
            copy.body(new org.eclipse.jetty.client.BytesRequestContent(body));
        }
        // The answer is read and dropped: nobody waits for it.
        copy.send(result -> {
            if (result.isFailed() && LOG.isDebugEnabled()) {
                LOG.debug("Mirror {} {} failed: {}", method, server.url(), result.getFailure().toString());
            }
        });
    }

    /** The client's body to send on, or null when the request has none. */
    private static ClientRequestBody requestBody(Request clientToProxy) {
        long length = clientToProxy.getLength();
        if (length > 0) {
            return new ClientRequestBody(clientToProxy, null);
        }
        if (length == 0) {
            return null;
        }
        HttpFields headers = clientToProxy.getHeaders();
        if (headers.contains(HttpHeader.TRANSFER_ENCODING)) {
            return new ClientRequestBody(clientToProxy, null);
        }
        if (clientToProxy.getConnectionMetaData().getHttpVersion().getVersion() < 20) {
            return headers.contains(HttpHeader.CONTENT_TYPE) ? new ClientRequestBody(clientToProxy, null) : null;
        }
        // HTTP/2 and later need neither Content-Length nor Transfer-Encoding for a body: only the stream says
        // whether one follows. A request whose stream ended with its headers has its end of content ready.
        Content.Chunk first = clientToProxy.read();
        if (first != null && first.isLast() && !first.hasRemaining() && !Content.Chunk.isFailure(first)) {
            first.release();
            return null;
        }
        return new ClientRequestBody(clientToProxy, first);
    }

    /**
     * Copies the request's headers once, dropping hop-by-hop ones, and appends the client's address to
     * {@code X-Forwarded-For}. The other forwarding headers are as the entry point set them
     * ({@link EntryPointForwardedHeaders}) and the middlewares left them: one a middleware removed stays removed.
     */
    private void copyRequestHeaders(Request clientToProxy, HttpFields.Mutable headers, UpstreamServer server,
            boolean passHostHeader) {
        copyRequestHeaders(clientToProxy, headers, server, passHostHeader, server.h2c() && http2);
    }

    /**
     * As {@link #copyRequestHeaders(Request, HttpFields.Mutable, UpstreamServer, boolean)}, for any client.
     *
     * @param overHttp2 whether the request goes to the server over HTTP/2 (then no {@code Host} header)
     */
    static void copyRequestHeaders(Request clientToProxy, HttpFields.Mutable headers, UpstreamServer server,
            boolean passHostHeader, boolean overHttp2) {
        HttpFields clientHeaders = clientToProxy.getHeaders();
        EntryPoint entryPoint = EntryPoint.of(clientToProxy);
        ForwardedHeadersPolicy policy = entryPoint == null ? ForwardedHeadersPolicy.TRUST_NONE : entryPoint.forwardedHeaders();
        // What the client itself sent, before the entry point and the middlewares changed the request's headers.
        HttpFields original = Request.unWrap(clientToProxy).getHeaders();
        String[] listedInConnection = ConnectionHeader.listedNames(original);

        String priorFor = null;
        for (HttpField field : clientHeaders) {
            HttpHeader header = field.getHeader();
            if (header != null && HOP_HEADERS.contains(header)) {
                continue;
            }
            if (header == HttpHeader.HOST) {
                continue;   // set below
            }
            boolean forwarding = EntryPointForwardedHeaders.isForwardingHeader(field);
            // Only the client's own fields go, and never the forwarding headers (Traefik's entry point keeps those):
            // a client cannot strip a header a middleware set (an identity from forwardAuth) by naming it in Connection.
            if (listedInConnection.length > 0 && !forwarding && ConnectionHeader.lists(listedInConnection, field.getLowerCaseName())
                    && original.contains(field)) {
                continue;
            }
            if (field.is(EntryPointForwardedHeaders.X_FORWARDED_FOR)) {
                priorFor = priorFor == null ? field.getValue() : priorFor + ", " + field.getValue();
                continue;
            }
            headers.add(field);
        }

        // TE is hop-by-hop, but "TE: trailers" says the client takes trailers (gRPC needs it): Go's reverse proxy,
        // and so Traefik, passes that on.
        // TE, Host and X-Forwarded-For were left out above: added, not put (put looks through every field).
        if (ConnectionHeader.acceptsTrailers(clientHeaders)) {
            headers.add(HttpHeader.TE, "trailers");
        }
        String clientHost = clientHeaders.get(HttpHeader.HOST);
        if (clientHost == null) {
            clientHost = clientToProxy.getHttpURI().getAuthority();
        }
        if (!overHttp2) {
            headers.add(HttpHeader.HOST, passHostHeader && clientHost != null ? clientHost : server.authority());
        }
        // Over HTTP/2 the client sends the server's address as :authority and Jetty's servers refuse a Host
        // header that differs from it: the client's host reaches h2c servers in X-Forwarded-Host only.

        // A headers middleware that removed X-Forwarded-For (an empty custom value) keeps the gateway from adding its
        // own, as in Traefik; one that a later middleware set again is extended as usual.
        // With notAppendXForwardedFor the header goes on as the (trusted) client or a middleware left it, if at all.
        if (!policy.appendForwardedFor()) {
            if (priorFor != null) {
                headers.add(EntryPointForwardedHeaders.X_FORWARDED_FOR, priorFor);
            }
        } else if (priorFor != null || !ForwardedHeaders.isWithoutForwardedFor(clientToProxy)) {
            String clientIp = EntryPointForwardedHeaders.clientIp(clientToProxy);
            headers.add(EntryPointForwardedHeaders.X_FORWARDED_FOR, priorFor == null ? clientIp : priorFor + ", " + clientIp);
        }
    }

    /**
     * Copies a server's response headers to the client's response, dropping hop-by-hop ones and those the server's
     * {@code Connection} header lists.
     */
    static void copyResponseHeaders(HttpFields serverHeaders, Response proxyToClient) {
        HttpFields.Mutable headers = proxyToClient.getHeaders();
        String[] listedInConnection = ConnectionHeader.listedNames(serverHeaders);
        for (HttpField field : serverHeaders) {
            HttpHeader header = field.getHeader();
            if (header != null && HOP_HEADERS.contains(header)) {
                continue;
            }
            if (listedInConnection.length > 0 && ConnectionHeader.lists(listedInConnection, field.getLowerCaseName())) {
                continue;
            }
            if (header == HttpHeader.DATE || header == HttpHeader.SERVER) {
                headers.put(field);   // the server's own replaces the one Jetty prepared
            } else {
                headers.add(field);
            }
        }
    }

    /**
     * Whether the server's trailers (gRPC's grpc-status) go on to the client: when it accepts them ("TE: trailers")
     * or the server announces some, and the body has no known length. Jetty fixes the framing when the response
     * commits, so the supplier is set with the headers and read at the end. HTTP/2 clients get them as such,
     * HTTP/1.1 ones chunked.
     */
    static boolean passesTrailers(HttpFields serverHeaders, Request clientToProxy) {
        // The length first: most responses have one, and then neither list of headers needs another look.
        return !serverHeaders.contains(HttpHeader.CONTENT_LENGTH) && (serverHeaders.contains(HttpHeader.TRAILER)
                || ConnectionHeader.acceptsTrailers(clientToProxy.getHeaders()));
    }

    /**
     * Streams the server's response to the client and maps failures before it starts: to 502/504 when the server's
     * side failed, as {@link ErrorResponses#clientFailed} decides when the client's did (then not held against the
     * server).
     */
    private static final class ServerToProxyListener extends Callback.Completable
            implements org.eclipse.jetty.client.Response.Listener {

        private final JettyUpstreamClient client;
        private final Request clientToProxy;
        private final org.eclipse.jetty.client.Request proxyToServer;
        private final Response proxyToClient;
        private final Callback proxyToClientCallback;
        private final UpstreamServer server;
        private final boolean passHostHeader;
        private final Outcome outcome;
        private final ClientRequestBody body;
        /** The tracing span of this request to the servers, carried to a retry on another one; null when untraced. */
        private final ClientSpan span;
        private volatile Scheduler.Task headerTimeout;
        private volatile boolean headersReceived;
        /**
         * Why the client's side failed while its body was not being read: a write to it failed (it stopped reading
         * or went away), or its request failed while the server was at work (its HTTP/2 stream was reset, its
         * connection timed out); null while it did not.
         */
        private volatile Throwable clientSideFailure;

        ServerToProxyListener(JettyUpstreamClient client, Request clientToProxy,
                org.eclipse.jetty.client.Request proxyToServer, Response proxyToClient, Callback proxyToClientCallback,
                UpstreamServer server, boolean passHostHeader, Outcome outcome, ClientRequestBody body, ClientSpan span) {
            this.client = client;
            this.span = span;
            this.clientToProxy = clientToProxy;
            this.proxyToServer = proxyToServer;
            this.proxyToClient = proxyToClient;
            this.proxyToClientCallback = proxyToClientCallback;
            this.server = server;
            this.passHostHeader = passHostHeader;
            this.outcome = outcome;
            this.body = body;
        }

        @Override
        public void onBegin(org.eclipse.jetty.client.Response serverToProxy) {
            proxyToClient.setStatus(serverToProxy.getStatus());
            if (outcome != null) {
                outcome.responseBegun(serverToProxy.getStatus());
            }
        }

        /**
         * The client's request failed while nothing was reading from it or writing to it (Jetty tells the readers
         * and writers themselves). When the client is gone (its HTTP/2 stream reset), the server's work is abandoned
         * at once, and the failure is the client's. An idle timeout is not that: Jetty lets the response go on (a
         * graceful stop shortens the idle timeout of connections whose requests it waits for), and so does this.
         */
        void clientToProxyFailed(Throwable failure) {
            if (ErrorResponses.isTimeout(failure)) {
                return;
            }
            clientSideFailure = failure;
            proxyToServer.abort(failure);
        }

        /** Starts the response header timeout, unless the headers are already here (an early response). */
        void startHeaderTimeout(Scheduler scheduler, Runnable onTimeout, long millis) {
            if (headersReceived) {
                return;
            }
            headerTimeout = scheduler.schedule(onTimeout, millis, TimeUnit.MILLISECONDS);
            if (headersReceived) {
                cancelHeaderTimeout();   // they came while it was being scheduled
            }
        }

        @Override
        public void onHeaders(org.eclipse.jetty.client.Response serverToProxy) {
            headersReceived = true;
            cancelHeaderTimeout();
            HttpFields serverHeaders = serverToProxy.getHeaders();
            copyResponseHeaders(serverHeaders, proxyToClient);
            if (passesTrailers(serverHeaders, clientToProxy)) {
                proxyToClient.setTrailersSupplier(() -> {
                    HttpFields trailers = serverToProxy.getTrailers();
                    return trailers == null || trailers.size() == 0 ? null : trailers;
                });
            }
        }

        @Override
        public void onContent(org.eclipse.jetty.client.Response serverToProxy, Content.Chunk chunk, Runnable demander) {
            ByteBuffer content = chunk.getByteBuffer();
            if (!content.hasRemaining()) {
                demander.run();
                return;
            }
            chunk.retain();
            proxyToClient.write(false, content, new Callback() {
                @Override
                public void succeeded() {
                    chunk.release();
                    demander.run();
                }

                @Override
                public void failed(Throwable failure) {
                    chunk.release();
                    // The client went away or stopped reading: stop reading from the server, which is not at fault.
                    clientSideFailure = failure;
                    serverToProxy.abort(failure);
                }

                @Override
                public InvocationType getInvocationType() {
                    return InvocationType.NON_BLOCKING;
                }
            });
        }

        @Override
        public void onSuccess(org.eclipse.jetty.client.Response serverToProxy) {
            proxyToClient.write(true, BufferUtil.EMPTY_BUFFER, this);
        }

        @Override
        public void onComplete(Result result) {
            cancelHeaderTimeout();
            if (result.isSucceeded()) {
                whenComplete((ignored, failure) -> {
                    // The server's whole response was read: a failure now is the last write to the client failing.
                    if (outcome != null) {
                        if (failure == null) {
                            outcome.completed(null);
                        } else {
                            outcome.clientFailed(failure);
                        }
                    }
                    if (failure == null) {
                        proxyToClientCallback.succeeded();
                    } else {
                        proxyToClientCallback.failed(failure);
                    }
                });
                return;
            }
            Throwable failure = result.getFailure();
            if (LOG.isDebugEnabled()) {
                LOG.debug("P2S {} {} failed", proxyToServer.getMethod(), proxyToServer.getURI(), failure);
            }
            Throwable clientFault = clientFault();
            if (clientFault != null) {
                clientFailed(clientFault);
                return;
            }
            boolean unreachable = !headersReceived && !proxyToClient.isCommitted() && isUnreachable(failure);
            // When the service chooses another server, the same request, body and span go there.
            ProxyToServerFailure.answer(clientToProxy, proxyToClient, proxyToClientCallback, server, outcome, failure,
                    unreachable, body, next -> client.forward(clientToProxy, proxyToClient, proxyToClientCallback, next,
                            passHostHeader, outcome, body, span));
        }

        /**
         * The client's part in a failed exchange, or null when the failure began on the server's side: reading the
         * client's body failed, or writing to the client failed. (The request to the server has no idle timeout, so
         * a client that stalls its body cannot make the server's side time out first.)
         */
        private Throwable clientFault() {
            if (body != null && body.clientFailure() != null) {
                return body.clientFailure();
            }
            return clientSideFailure;
        }

        /**
         * The exchange failed because of the client: not held against the server, not sent to another one, and
         * answered (when the client is still there to answer) as {@link ErrorResponses#clientFailed} decides.
         */
        private void clientFailed(Throwable clientFault) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("C2P {} {} failed on the client's side: {}", clientToProxy.getMethod(),
                        clientToProxy.getHttpURI().getPathQuery(), clientFault.toString());
            }
            if (body != null) {
                body.discard();
            }
            if (outcome != null) {
                outcome.clientFailed(clientFault);
            }
            ErrorResponses.clientFailed(clientToProxy, proxyToClient, proxyToClientCallback, clientFault);
        }

        private void cancelHeaderTimeout() {
            Scheduler.Task task = headerTimeout;
            if (task != null) {
                task.cancel();
            }
        }
    }
}
