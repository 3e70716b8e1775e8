package dev.gatehouse.core.router;

import dev.gatehouse.api.MatchContext;
import java.util.Locale;
import org.eclipse.jetty.server.Request;

/**
 * The per-request view the matchers test: host and path are computed at most once, on first use. The path is
 * the raw path as {@link RequestPath} normalises it and then decodes it for routing, never Jetty's decoded one:
 * an encoded {@code %2F} must not become a separator that a rule could match.
 */
final class RoutingRequest implements MatchContext {

    private final Request request;
    private String host;
    private String path;

    RoutingRequest(Request request) {
        this.request = request;
    }

    /** A request reduced to what host and path matchers read: for tests of the routing table. */
    RoutingRequest(String host, String path) {
        this.request = null;
        this.host = host;
        this.path = path;
    }

    @Override
    public String host() {
        String h = host;
        if (h == null) {
            h = normaliseHost(Request.getServerName(request));
            host = h;
        }
        return h;
    }

    @Override
    public String path() {
        String p = path;
        if (p == null) {
            // The entry point has normalised (and sanitised) the path already; normalising again is a no-op scan
            // then, and keeps a request that did not come through an entry point right too.
            p = RequestPath.routing(RequestPath.of(request.getHttpURI().getPath(), false));
            path = p;
        }
        return p;
    }

    @Override
    public Request request() {
        return request;
    }

    /** Lower case, without brackets around IPv6 literals, without a trailing dot; allocates only when it changes. */
    static String normaliseHost(String raw) {
        if (raw == null) {
            return "";
        }
        String h = raw;
        if (h.length() > 1 && h.charAt(0) == '[' && h.charAt(h.length() - 1) == ']') {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c >= 'A' && c <= 'Z' || c > 127) {
                return h.toLowerCase(Locale.ROOT);
            }
        }
        return h;
    }
}
