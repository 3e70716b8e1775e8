package dev.gatehouse.core.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code entryPoints.<ep>.http.redirections.entryPoint}: every request on the entry point is redirected to
 * the same host and path on another entry point (usually http to https). Status as Traefik's redirect: 301
 * (permanent) or 302 for GET, 308 or 307 for other methods, which must keep their method and body.
 */
public final class EntryPointRedirect extends Handler.Abstract.NonBlocking {

    private final String scheme;
    private final int port;
    private final boolean permanent;
    private final boolean defaultPort;

    /**
     * @param scheme the scheme of the new URL ({@code https})
     * @param port the port of the target entry point
     * @param permanent 301/308 instead of 302/307
     */
    public EntryPointRedirect(String scheme, int port, boolean permanent) {
        this.scheme = scheme;
        this.port = port;
        this.permanent = permanent;
        this.defaultPort = ("https".equals(scheme) && port == 443) || ("http".equals(scheme) && port == 80);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String host = Request.getServerName(request);
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        StringBuilder location = new StringBuilder(64).append(scheme).append("://").append(host);
        if (!defaultPort) {
            location.append(':').append(port);
        }
        String pathQuery = request.getHttpURI().getPathQuery();
        location.append(pathQuery == null || pathQuery.isEmpty() ? "/" : pathQuery);

        boolean get = HttpMethod.GET.is(request.getMethod());
        int status = permanent ? (get ? HttpStatus.MOVED_PERMANENTLY_301 : HttpStatus.PERMANENT_REDIRECT_308)
                : (get ? HttpStatus.FOUND_302 : HttpStatus.TEMPORARY_REDIRECT_307);
        byte[] body = HttpStatus.getMessage(status).getBytes(StandardCharsets.US_ASCII);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.LOCATION, location.toString());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, HttpMethod.HEAD.is(request.getMethod()) ? null : ByteBuffer.wrap(body), callback);
        return true;
    }
}
