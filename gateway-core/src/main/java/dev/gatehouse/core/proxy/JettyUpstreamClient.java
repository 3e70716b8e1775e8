package dev.gatehouse.core.proxy;

import dev.gatehouse.core.http.EntryPoint;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.http.ForwardedHeadersPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
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

    static final String X_FORWARDED_FOR = "X-Forwarded-For";
    static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    static final String X_FORWARDED_PORT = "X-Forwarded-Port";
    static final String X_FORWARDED_SERVER = "X-Forwarded-Server";
    static final String X_REAL_IP = "X-Real-Ip";

    private final HttpClient httpClient;
    private final UpstreamSettings settings;
    private final HttpField forwardedServer;

    public JettyUpstreamClient(UpstreamSettings settings, Executor executor) {
        this.settings = settings;
        ClientConnector connector = new ClientConnector();
        // One selector: on the few cores an edge box has, more selectors only add context switches.
        connector.setSelectors(1);
        if (executor != null) {
            connector.setExecutor(executor);
        }
        connector.setConnectTimeout(settings.dialTimeout());
        connector.setIdleTimeout(settings.idleConnTimeout());
        httpClient = new HttpClient(new HttpClientTransportOverHTTP(connector));
        httpClient.setName("gatehouse-upstream");
        httpClient.setFollowRedirects(false);
        httpClient.setHttpCookieStore(new HttpCookieStore.Empty());
        httpClient.setUserAgentField(null);
        httpClient.setConnectTimeout(settings.dialTimeout().toMillis());
        httpClient.setIdleTimeout(settings.idleConnTimeout().toMillis());
        // Traefik sets no cap on connections per server; the pool keeps maxIdleConnsPerHost of them.
        httpClient.setMaxConnectionsPerDestination(Math.max(1024, settings.maxIdleConnsPerHost()));
        httpClient.setMaxRequestsQueuedPerDestination(4096);
        addBean(httpClient);
        forwardedServer = new HttpField(X_FORWARDED_SERVER, localHostName());
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // The proxy passes bodies and interim responses through untouched: no decoding, no
        // 100-continue or redirect handling by the client itself.
        httpClient.getContentDecoderFactories().clear();
        httpClient.getProtocolHandlers().clear();
    }

    private static String localHostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    @Override
    public void forward(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server,
            boolean passHostHeader) {
        org.eclipse.jetty.client.Request proxyToServer = httpClient.newRequest(server.host(), server.port())
                .scheme(server.scheme())
                .method(clientToProxy.getMethod())
                .path(pathAndQuery(clientToProxy));
        proxyToServer.headers(headers -> copyRequestHeaders(clientToProxy, headers, server, passHostHeader));
        ClientRequestBody body = requestBody(clientToProxy);
        if (body != null) {
            proxyToServer.body(body);
        }
        ServerToProxyListener listener = new ServerToProxyListener(clientToProxy, proxyToServer, proxyToClient, callback);
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

    private static String pathAndQuery(Request clientToProxy) {
        String pathQuery = clientToProxy.getHttpURI().getPathQuery();
        if (pathQuery == null || pathQuery.isEmpty()) {
            return "/";
        }
        // A middleware may leave the path empty (stripPrefix of the whole path, as Traefik does); the query stays.
        return pathQuery.charAt(0) == '?' ? "/" + pathQuery : pathQuery;
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
     * Copies the client's headers once, dropping hop-by-hop ones and, from a client the entry point does
     * not trust, any forwarding headers it made up; then sets the forwarding headers as Traefik does.
     */
    private void copyRequestHeaders(Request clientToProxy, HttpFields.Mutable headers, UpstreamServer server,
            boolean passHostHeader) {
        HttpFields clientHeaders = clientToProxy.getHeaders();
        EntryPoint entryPoint = EntryPoint.of(clientToProxy);
        ForwardedHeadersPolicy policy = entryPoint == null ? ForwardedHeadersPolicy.TRUST_NONE : entryPoint.forwardedHeaders();
        boolean trusted = policy.trusts(clientToProxy);
        boolean connectionListsHeaders = clientHeaders.contains(HttpHeader.CONNECTION);
        HttpFields clientSent = trusted ? clientHeaders : Request.unWrap(clientToProxy).getHeaders();

        String priorFor = null;
        for (HttpField field : clientHeaders) {
            HttpHeader header = field.getHeader();
            if (header != null && HOP_HEADERS.contains(header)) {
                continue;
            }
            if (header == HttpHeader.HOST) {
                continue;   // set below
            }
            if (connectionListsHeaders && isListedInConnection(clientHeaders, field.getLowerCaseName())) {
                continue;
            }
            if (isForwardingHeader(field)) {
                // Only what the untrusted client sent is dropped: a middleware's X-Forwarded-Prefix stays, as in
                // Traefik, where the entry point cleans the client's headers before the middlewares run.
                if (!trusted && (clientSent == clientHeaders || clientSent.contains(field))) {
                    continue;
                }
                if (field.is(X_FORWARDED_FOR)) {
                    priorFor = priorFor == null ? field.getValue() : priorFor + ", " + field.getValue();
                    continue;
                }
            }
            headers.add(field);
        }

        String clientHost = clientHeaders.get(HttpHeader.HOST);
        if (clientHost == null) {
            clientHost = clientToProxy.getHttpURI().getAuthority();
        }
        headers.put(HttpHeader.HOST, passHostHeader && clientHost != null ? clientHost : server.authority());

        String clientIp = clientIp(clientToProxy);
        headers.put(X_FORWARDED_FOR, priorFor == null ? clientIp : priorFor + ", " + clientIp);
        boolean secure = clientToProxy.isSecure();
        if (!headers.contains(X_FORWARDED_PROTO)) {
            headers.put(X_FORWARDED_PROTO, secure ? "https" : "http");
        }
        if (!headers.contains(X_FORWARDED_HOST) && clientHost != null) {
            headers.put(X_FORWARDED_HOST, clientHost);
        }
        if (!headers.contains(X_FORWARDED_PORT)) {
            headers.put(X_FORWARDED_PORT, forwardedPort(clientHost, secure));
        }
        headers.put(forwardedServer);
        if (!headers.contains(X_REAL_IP)) {
            headers.put(X_REAL_IP, clientIp);
        }
    }

    private static boolean isForwardingHeader(HttpField field) {
        String name = field.getLowerCaseName();
        return name.startsWith("x-forwarded-") || name.equals("x-real-ip");
    }

    private static boolean isListedInConnection(HttpFields headers, String lowerCaseName) {
        for (HttpField connection : headers.getFields(HttpHeader.CONNECTION)) {
            for (String token : connection.getValues()) {
                if (token.strip().toLowerCase(Locale.ROOT).equals(lowerCaseName)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String clientIp(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String ip = inet.getAddress().getHostAddress();
            int zone = ip.indexOf('%');
            return zone < 0 ? ip : ip.substring(0, zone);
        }
        return Request.getRemoteAddr(request);
    }

    /** The port the client addressed: from its Host header, else the scheme's default. */
    static String forwardedPort(String host, boolean secure) {
        if (host != null) {
            int colon = host.lastIndexOf(':');
            int bracket = host.lastIndexOf(']');
            if (colon > bracket && colon < host.length() - 1) {
                return host.substring(colon + 1);
            }
        }
        return secure ? "443" : "80";
    }

    /** Streams the server's response to the client and maps failures before it starts to 502/504. */
    private static final class ServerToProxyListener extends Callback.Completable
            implements org.eclipse.jetty.client.Response.Listener {

        private final Request clientToProxy;
        private final org.eclipse.jetty.client.Request proxyToServer;
        private final Response proxyToClient;
        private final Callback proxyToClientCallback;
        private volatile Scheduler.Task headerTimeout;
        private volatile boolean headersReceived;

        ServerToProxyListener(Request clientToProxy, org.eclipse.jetty.client.Request proxyToServer,
                Response proxyToClient, Callback proxyToClientCallback) {
            this.clientToProxy = clientToProxy;
            this.proxyToServer = proxyToServer;
            this.proxyToClient = proxyToClient;
            this.proxyToClientCallback = proxyToClientCallback;
        }

        @Override
        public void onBegin(org.eclipse.jetty.client.Response serverToProxy) {
            proxyToClient.setStatus(serverToProxy.getStatus());
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
            HttpFields.Mutable headers = proxyToClient.getHeaders();
            HttpFields serverHeaders = serverToProxy.getHeaders();
            boolean connectionListsHeaders = serverHeaders.contains(HttpHeader.CONNECTION);
            for (HttpField field : serverHeaders) {
                HttpHeader header = field.getHeader();
                if (header != null && HOP_HEADERS.contains(header)) {
                    continue;
                }
                if (connectionListsHeaders && isListedInConnection(serverHeaders, field.getLowerCaseName())) {
                    continue;
                }
                if (header == HttpHeader.DATE || header == HttpHeader.SERVER) {
                    headers.put(field);   // the server's own replaces the one Jetty prepared
                } else {
                    headers.add(field);
                }
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
                    // The client went away: stop reading from the server.
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
            if (proxyToClient.isCommitted()) {
                proxyToClientCallback.failed(failure);
            } else {
                ErrorResponses.upstreamFailed(clientToProxy, proxyToClient, proxyToClientCallback, failure);
            }
        }

        private void cancelHeaderTimeout() {
            Scheduler.Task task = headerTimeout;
            if (task != null) {
                task.cancel();
            }
        }
    }
}
