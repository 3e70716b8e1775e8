package dev.gatehouse.core.observe;

import dev.gatehouse.core.config.dynamic.ObservabilityConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import javax.net.ssl.SSLSession;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * What is observed about one request, for the access log and the metrics: taken from the request when it
 * arrives, completed by the router and service that handle it, and by the response when it is done. Exists
 * only when something observes requests; the request carries it as an attribute so that the router and the
 * service can add their names and the server they picked. Read the fields only after completion.
 */
public final class RequestRecord {

    /** The request attribute holding the record (a constant, so that {@code GatewayRequest} can switch on it). */
    public static final String ATTRIBUTE = "dev.gatehouse.core.observe.RequestRecord";

    public final long startMillis = System.currentTimeMillis();
    public final long startNanos = System.nanoTime();
    public final String entryPoint;
    public final String clientHost;
    public final int clientPort;
    public final String method;
    public final String pathQuery;
    public final String protocol;
    public final String scheme;
    public final String host;
    public final HttpFields requestHeaders;
    public final long requestContentLength;
    /** The TLS version as Traefik names it ({@code 1.2}, {@code 1.3}); null for a plain request. */
    public final String tlsVersion;
    /** The negotiated cipher suite ({@code TLS_AES_128_GCM_SHA256}); null for a plain request. */
    public final String tlsCipher;
    long count;
    /** Whether the access log writes this request: the entry point's switch, then the router's when it sets one. */
    boolean accessLogs = true;
    /** Whether the metrics count this request (entry point, router and service), decided as {@link #accessLogs}. */
    boolean metrics = true;
    /** Whether the request is traced (when tracing is configured), decided as {@link #accessLogs}. */
    boolean tracing = true;
    /**
     * Answered by the gateway itself (ping, API, metrics, ACME challenge, a router to an {@code @internal} service):
     * left out of the access log and metrics unless their {@code addInternals} says otherwise.
     */
    boolean internal;
    /** {@code traceVerbosity: detailed}: router, middleware and service spans as well; minimal by default. */
    boolean detailedTracing;
    String router;
    String service;
    String serviceUrl;
    /** The user an authentication middleware named, or null. */
    volatile String clientUsername;
    int status;
    long bytes;
    long durationNanos;

    RequestRecord(Request request, String entryPoint) {
        this.entryPoint = entryPoint;
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet) {
            clientHost = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            clientPort = inet.getPort();
        } else {
            clientHost = String.valueOf(remote);
            clientPort = 0;
        }
        method = request.getMethod();
        pathQuery = request.getHttpURI().getPathQuery();
        protocol = request.getConnectionMetaData().getProtocol();
        scheme = request.getHttpURI().getScheme() != null ? request.getHttpURI().getScheme()
                : (request.isSecure() ? "https" : "http");
        host = Request.getServerName(request);
        requestHeaders = request.getHeaders().asImmutable();
        requestContentLength = request.getLength();
        // SecureRequestCustomizer puts the session data on every request that came over TLS.
        if (request.isSecure() && request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE)
                instanceof EndPoint.SslSessionData tls && tls.sslSession() != null) {
            SSLSession session = tls.sslSession();
            tlsVersion = tlsVersion(session.getProtocol());
            tlsCipher = String.valueOf(session.getCipherSuite());
        } else {
            tlsVersion = null;
            tlsCipher = null;
        }
    }

    /** {@code TLSv1.3} as Go's crypto/tls (and so Traefik's metrics) name it: {@code 1.3}. */
    static String tlsVersion(String javaProtocol) {
        return switch (javaProtocol) {
            case "TLSv1.3" -> "1.3";
            case "TLSv1.2" -> "1.2";
            case "TLSv1.1" -> "1.1";
            case "TLSv1" -> "1.0";
            default -> javaProtocol;
        };
    }

    /** The record of a request being observed, or null when nothing observes requests. */
    public static RequestRecord of(Request request) {
        return (RequestRecord) request.getAttribute(ATTRIBUTE);
    }

    /** Marks the request as answered by the gateway itself (see {@code accessLog/metrics.addInternals}). */
    public void internal() {
        this.internal = true;
    }

    /** The router that matched. */
    public void router(String name) {
        this.router = name;
    }

    /**
     * Applies an entry point's or a router's {@code observability} switches; an unset switch leaves the current value
     * (so a router inherits from its entry point, as in Traefik).
     */
    public void observability(ObservabilityConfig switches) {
        if (switches == null) {
            return;
        }
        if (switches.accessLogs() != null) {
            accessLogs = switches.accessLogs();
        }
        if (switches.metrics() != null) {
            metrics = switches.metrics();
        }
        if (switches.tracing() != null) {
            tracing = switches.tracing();
        }
        if (switches.traceVerbosity() != null && !switches.traceVerbosity().isBlank()) {
            detailedTracing = switches.traceVerbosity().strip().equalsIgnoreCase("detailed");
        }
    }

    public boolean tracing() {
        return tracing;
    }

    public boolean detailedTracing() {
        return detailedTracing;
    }

    public boolean accessLogs() {
        return accessLogs;
    }

    public boolean metrics() {
        return metrics;
    }

    /** The service and the server it sent the request to. */
    public void service(String name, String url) {
        this.service = name;
        this.serviceUrl = url;
    }

    public String router() {
        return router;
    }

    public String service() {
        return service;
    }

    /** The authenticated user, or {@code -} (as Traefik's access log writes an unknown one). */
    public String clientUsername() {
        String user = clientUsername;
        return user == null || user.isEmpty() ? "-" : user;
    }

    public String serviceUrl() {
        return serviceUrl;
    }

    public int status() {
        return status;
    }

    public long bytes() {
        return bytes;
    }

    public long durationNanos() {
        return durationNanos;
    }

    /** The number of this request among all requests observed since start (1 for the first). */
    public long count() {
        return count;
    }

    void finish(Response response) {
        durationNanos = System.nanoTime() - startNanos;
        status = response.getStatus();
        bytes = Response.getContentBytesWritten(response);
    }
}
