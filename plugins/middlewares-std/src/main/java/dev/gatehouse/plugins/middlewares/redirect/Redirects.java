package dev.gatehouse.plugins.middlewares.redirect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.gatehouse.plugins.middlewares.internal.GoRegex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What redirectRegex and redirectScheme share with Traefik's redirect handler: the URL as the client asked for it
 * is rewritten by a regex; when the result differs, the client is redirected to it, else the request goes on.
 */
final class Redirects {

    /** An absolute-form request target: scheme, host, port, rest. */
    static final Pattern URI = Pattern.compile("^(https?):\\/\\/(\\[[\\w:.]+\\]|[\\w\\._-]+)?(:\\d+)?(.*)$");

    private Redirects() {
    }

    /** How the URL the client used is rebuilt. */
    interface UrlSource {
        String url(Request request);
    }

    static Handler.Wrapper handler(Pattern regex, String replacement, boolean permanent, boolean forcePermanent,
            UrlSource source) {
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String oldUrl = source.url(request);
                if (!regex.matcher(oldUrl).find()) {
                    return super.handle(request, response, callback);
                }
                String newUrl = GoRegex.replaceAll(regex, oldUrl, replacement);
                if (newUrl.equals(oldUrl)) {
                    return super.handle(request, response, callback);
                }
                int status = status(request.getMethod(), permanent, forcePermanent);
                response.setStatus(status);
                response.getHeaders().put(HttpHeader.LOCATION, newUrl);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                response.write(true, ByteBuffer.wrap(HttpStatus.getMessage(status).getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
    }

    /** Traefik's choice: 302/307 or 301/308, the second for any method but GET (so the method and body are kept). */
    static int status(String method, boolean permanent, boolean forcePermanent) {
        if (forcePermanent) {
            return HttpStatus.PERMANENT_REDIRECT_308;
        }
        boolean get = HttpMethod.GET.is(method);
        if (permanent) {
            return get ? HttpStatus.MOVED_PERMANENTLY_301 : HttpStatus.PERMANENT_REDIRECT_308;
        }
        return get ? HttpStatus.FOUND_302 : HttpStatus.TEMPORARY_REDIRECT_307;
    }

    /** The Host header (with its port) as sent; else the authority of the request URI. */
    static String hostHeader(Request request) {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (host != null) {
            return host;
        }
        HttpURI uri = request.getHttpURI();
        String authority = uri.getAuthority();
        return authority == null ? "" : authority;
    }

    /** The request target: path and query as they are now (after earlier middlewares), or an absolute form as sent. */
    static String requestUri(Request request) {
        String pathQuery = request.getHttpURI().getPathQuery();
        return pathQuery == null || pathQuery.isEmpty() ? "/" : pathQuery;
    }

    /** Group {@code i} of a match, or "" when it did not take part. */
    static String group(Matcher m, int i) {
        String g = m.group(i);
        return g == null ? "" : g;
    }
}
