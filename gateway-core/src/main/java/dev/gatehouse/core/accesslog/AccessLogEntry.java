package dev.gatehouse.core.accesslog;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * What the access log records about one request: taken from the request when it arrives, completed by the
 * router and service that handle it, and by the response when it is done. Exists only when the access log
 * is on; the request carries it as an attribute so that services can add the server they picked.
 */
public final class AccessLogEntry {

    static final String ATTRIBUTE = AccessLogEntry.class.getName();

    final long startMillis = System.currentTimeMillis();
    final long startNanos = System.nanoTime();
    final String entryPoint;
    final String clientHost;
    final int clientPort;
    final String method;
    final String pathQuery;
    final String protocol;
    final String scheme;
    final String host;
    final HttpFields requestHeaders;
    final long requestContentLength;
    long count;
    String router;
    String service;
    String serviceUrl;
    int status;
    long bytes;
    long durationNanos;

    AccessLogEntry(Request request, String entryPoint) {
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
    }

    /** The entry of a request being logged, or null when the access log is off. */
    public static AccessLogEntry of(Request request) {
        return (AccessLogEntry) request.getAttribute(ATTRIBUTE);
    }

    /** The router that matched. */
    public void router(String name) {
        this.router = name;
    }

    /** The service and the server it sent the request to. */
    public void service(String name, String url) {
        this.service = name;
        this.serviceUrl = url;
    }

    void finish(Response response) {
        durationNanos = System.nanoTime() - startNanos;
        status = response.getStatus();
        bytes = Response.getContentBytesWritten(response);
    }
}
