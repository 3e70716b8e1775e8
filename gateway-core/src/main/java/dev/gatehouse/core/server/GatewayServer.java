package dev.gatehouse.core.server;

import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.core.http.EntryPoint;
import dev.gatehouse.core.observe.RequestObserver;
import dev.gatehouse.core.proxy.JettyUpstreamClient;
import dev.gatehouse.core.runtime.GatewayRuntime;
import dev.gatehouse.core.tcp.TcpDialer;
import dev.gatehouse.core.tcp.TcpEntryPointRoutes;
import dev.gatehouse.core.tls.ClientHello;
import dev.gatehouse.core.tls.TlsManager;
import dev.gatehouse.core.tls.TlsPolicy;
import dev.gatehouse.core.tls.TlsRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty server behind all entry points: one connector per entry point speaking HTTP/1.1 and h2c, and TLS
 * (HTTP/1.1 and h2 by ALPN) on the same port when a {@link TlsManager} is given,
 * one thread pool, and graceful shutdown (stop accepting, let requests in flight finish within the grace
 * time, then close).
 */
public final class GatewayServer {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    /** Jetty's default, plus what it calls ambiguous but Traefik routes. */
    static final UriCompliance URI_COMPLIANCE = UriCompliance.DEFAULT.with("gatehouse",
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
            UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS,
            UriCompliance.Violation.BAD_UTF8_ENCODING,
            UriCompliance.Violation.TRUNCATED_UTF8_ENCODING);

    private final Server server;
    private final QueuedThreadPool threads;
    private final List<EntryPointConnector> connectors = new ArrayList<>();
    private final GatewayHandler gatewayHandler;
    private final PingHandler ping;
    private final ScheduledExecutorService retirer;
    /** Connects TCP routers' tunnels to their servers; outlives every runtime, so reloads leave tunnels alone. */
    private final TcpDialer tcpDialer;

    /**
     * @param listeners the entry points, in index order
     * @param pingTerminatingStatus what {@code /ping} answers during shutdown
     * @param graceTimeout how long requests in flight may take to finish at shutdown
     * @param observer what records requests (access log, metrics), or null when nothing does
     */
    public GatewayServer(List<ListenerSpec> listeners, int pingTerminatingStatus,
            Duration graceTimeout, RequestObserver observer) {
        this(listeners, pingTerminatingStatus, graceTimeout, observer, null);
    }

    /**
     * @param tls the certificates and TLS options; when null the entry points speak plain HTTP only
     */
    public GatewayServer(List<ListenerSpec> listeners, int pingTerminatingStatus,
            Duration graceTimeout, RequestObserver observer, TlsManager tls) {
        threads = new QueuedThreadPool(200, 4, 60_000);
        threads.setName("gatehouse");
        server = new Server(threads);
        server.setStopTimeout(graceTimeout.toMillis());
        server.setStopAtShutdown(false);   // Gatehouse stops it itself, on SIGTERM, gracefully

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Jetty's HTTP/1 parser builds a per-connection cache of header fields (Host, User-Agent, Cookie, ...) on a
        // connection's second request: a trie of about 100 KB of heap per connection, kept as long as it is open. A
        // few thousand idle keep-alive connections, which any client can open, would fill the heap (2,000 took
        // 200 MB). Without it a repeated header costs a String and a field per request, which the young
        // generation collects for next to nothing.
        http.setHeaderCacheSize(0);
        // A server's response head goes to the client whole up to what the upstream clients read (64 KiB), as
        // Traefik passes large ones (security policies, many cookies); Jetty's default of 8 KiB answered 500.
        http.setResponseHeaderSize(JettyUpstreamClient.MAX_RESPONSE_HEAD);
        // Traefik routes what Go's HTTP server accepts: encoded separators (%2F), dot segments, empty segments
        // and %25 reach the router, which normalises them (RequestPath). Jetty's default refuses them with 400.
        http.setUriCompliance(URI_COMPLIANCE);
        // Marks requests that came over TLS as secure (https scheme, X-Forwarded-Proto). Traefik does not refuse a
        // Host header that differs from the SNI, so neither does the gateway.
        SecureRequestCustomizer secure = new SecureRequestCustomizer(false);
        secure.setSniHostCheck(false);
        secure.setStsMaxAge(-1);
        http.addCustomizer(secure);
        tcpDialer = new TcpDialer(threads, server.getScheduler());
        server.addBean(tcpDialer);
        TlsDetectingConnectionFactory.TcpRouters tcpRouters = new TlsDetectingConnectionFactory.TcpRouters() {
            @Override
            public TcpEntryPointRoutes of(int entryPointIndex) {
                return gatewayHandler.runtime().tcp().entryPoint(entryPointIndex);
            }

            @Override
            public TcpDialer dialer() {
                return tcpDialer;
            }
        };
        for (int i = 0; i < listeners.size(); i++) {
            ListenerSpec spec = listeners.get(i);
            EntryPoint entryPoint = new EntryPoint(spec.name(), i, spec.forwardedHeaders(), spec.sanitizePath(),
                    spec.deniedEncodedCharacters(), spec.requestHead());
            // Each entry point has its own copy: maxHeaderBytes is an entry point setting.
            HttpConfiguration entryPointHttp = new HttpConfiguration(http);
            entryPointHttp.setRequestHeaderSize(spec.maxHeaderBytes());
            HttpConnectionFactory http1 = new GuardedHttpConnection.Factory(entryPointHttp, spec.timeouts());
            // An HTTP/2 request over the header limit gets 431 on its stream, not an error for its whole connection.
            HttpConfiguration http2 = Http2RequestHeadersLimit.forHttp2(entryPointHttp);
            HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(http2);
            h2c.setMaxConcurrentStreams(spec.http2MaxConcurrentStreams());
            List<ConnectionFactory> factories = new ArrayList<>();
            if (tls == null) {
                factories.addAll(List.of(http1, h2c));
            } else {
                HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http2);
                h2.setMaxConcurrentStreams(spec.http2MaxConcurrentStreams());
                factories.addAll(List.of(
                        new TlsDetectingConnectionFactory(hello -> policyFor(tls, hello), http1.getProtocol(), tcpRouters),
                        http1, h2c, h2));
            }
            if (spec.proxyProtocol() != null) {
                spec.proxyProtocol().logEnabled(spec.name());
                // In front of everything: the header comes before TLS and before HTTP.
                factories.addAll(0, List.of(spec.proxyProtocol().connectionFactories(factories.get(0).getProtocol())));
            }
            EntryPointConnector connector = new EntryPointConnector(server, entryPoint, spec.timeouts(),
                    factories.toArray(new ConnectionFactory[0]));
            connector.setHost(spec.host());
            connector.setPort(spec.port());
            connector.setAcceptQueueSize(1024);
            connector.setReuseAddress(true);
            connector.setReusePort(spec.reusePort());
            server.addConnector(connector);
            connectors.add(connector);
        }
        // The ping@internal service: the ping@internal router and the user's routers to it reach it.
        ping = new PingHandler(pingTerminatingStatus);
        gatewayHandler = new GatewayHandler(observer, SelectorHandling.ENABLED ? threads : null);
        server.setHandler(new GracefulHandler(gatewayHandler));
        retirer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gatehouse-retire");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The TLS options of a connection: the ACME ones for a TLS-ALPN-01 validation, else those that the current
     * runtime gives the server name (the defaults before the first configuration is applied).
     */
    private TlsPolicy policyFor(TlsManager tls, ClientHello hello) {
        if (hello.alpn().size() == 1 && hello.alpn().get(0).equals(TlsPolicy.ACME_TLS_1)) {
            return tls.acmePolicy();
        }
        TlsRuntime current = gatewayHandler.runtime().tls();
        return current == null ? tls.fallbackPolicy() : current.policyFor(hello.serverName());
    }

    public void start() throws Exception {
        server.start();
    }

    /** The Jetty server, that middleware handlers are attached to. */
    public Server jetty() {
        return server;
    }

    /** How many connections an entry point has open now. */
    public int openConnections(String entryPoint) {
        for (ServerConnector connector : connectors) {
            if (connector.getName().equals(entryPoint)) {
                return connector.getConnectedEndPoints().size();
            }
        }
        return 0;
    }

    /** The thread pool, shared with the upstream client so that a response is written on the thread that read it. */
    public Executor executor() {
        return threads;
    }

    /** The port an entry point listens on (useful when it was configured as 0). */
    public int port(String entryPoint) {
        for (ServerConnector connector : connectors) {
            if (connector.getName().equals(entryPoint)) {
                return connector.getLocalPort();
            }
        }
        throw new IllegalArgumentException("no entry point " + entryPoint);
    }

    public GatewayRuntime runtime() {
        return gatewayHandler.runtime();
    }

    /**
     * Serves new requests with {@code next}. The previous runtime is stopped once the requests and tunnels
     * (WebSockets) that started on it are done, however long they take: the grace timeout bounds only shutdown.
     */
    public void swap(GatewayRuntime next) {
        GatewayRuntime previous = gatewayHandler.swap(next);
        if (previous != null && previous != GatewayRuntime.EMPTY) {
            previous.retire(retirer); // stopped off the request threads: stopping a client from its own callback could block
        }
    }

    /**
     * Graceful stop: {@code /ping} turns to the terminating status at once, listeners stop accepting, requests
     * in flight get up to the grace time to finish, then everything closes.
     */
    public void stop() {
        ping.terminating();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the server: {}", FailureReasons.of(e));
        }
        GatewayRuntime last = gatewayHandler.runtime();
        last.stop();
        // Runtimes whose last tunnel the stop just closed are being stopped there: let them finish, so that their
        // transports are closed too.
        retirer.shutdown();
        try {
            if (!retirer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Stopping the runtimes replaced by reloads took longer than 5 s; leaving them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The ping answer as a service, {@code ping@internal}, for the internal {@code ping} router and for routers of the
     * user's ({@code ping.manualRouting}): it turns to the terminating status once shutdown begins.
     */
    public Handler pingService() {
        return ping;
    }

    /** Marks {@code /ping} as terminating without stopping yet (for requestAcceptGraceTimeout). */
    public void beginTermination() {
        ping.terminating();
    }
}
