package dev.gatehouse.core.server;

import dev.gatehouse.core.observe.RequestObserver;
import dev.gatehouse.core.runtime.GatewayRuntime;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import dev.gatehouse.core.config.EntryPointHttpConfig.UnderscoreHeaders;
import dev.gatehouse.core.http.EntryPoint;
import dev.gatehouse.core.http.EntryPointForwardedHeaders;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.http.Tunnel;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.HttpStream;
import dev.gatehouse.core.router.RequestPath;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import java.util.concurrent.Executor;

/**
 * The root of the request path: finds the request's entry point (from its connector), does what the entry point
 * does to every request (deadlines, observation, underscore headers, refused encoded characters), and hands it to
 * that entry point's routing table in the current runtime. The gateway's own endpoints (ping, API, dashboard,
 * metrics, ACME HTTP-01, redirections) are routers of {@code @internal} in that table, like anyone's. The runtime
 * is swapped atomically on reload; a request keeps the runtime it started with.
 *
 * <p>Non-blocking ({@link SelectorHandling}): Jetty calls it on the selector thread that read the request, and the
 * routing table hands the routes that may block to {@code blockingRoutes}.
 */
final class GatewayHandler extends Handler.Abstract {

    private final RequestObserver observer;
    /** Where the routes that may block are handled; null when every request is on a pool thread already. */
    private final Executor blockingRoutes;
    private volatile GatewayRuntime runtime = GatewayRuntime.EMPTY;

    /**
     * @param observer what records requests (access log, metrics), or null when nothing does
     * @param blockingRoutes where routes that may block are handled when requests are handled on selector threads;
     *     null to have Jetty call this handler on a pool thread for every request
     */
    GatewayHandler(RequestObserver observer, Executor blockingRoutes) {
        super(blockingRoutes == null ? InvocationType.BLOCKING : InvocationType.NON_BLOCKING);
        this.observer = observer;
        this.blockingRoutes = blockingRoutes;
    }

    GatewayRuntime swap(GatewayRuntime next) {
        GatewayRuntime previous = runtime;
        runtime = next;
        return previous;
    }

    GatewayRuntime runtime() {
        return runtime;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        EntryPoint entryPoint = EntryPoint.of(request);
        if (entryPoint == null) {
            ErrorResponses.notFound(request, response, callback);
            return true;
        }
        int index = entryPoint.index();
        request = new GatewayRequest(request);   // before anything sets the attributes it keeps
        if (observer != null) {
            callback = observer.begin(request, response, callback, entryPoint.name());
        }
        if (request.getConnectionMetaData().getConnector() instanceof EntryPointConnector connector) {
            callback = RequestDeadlines.apply(request, callback, connector.timeouts(), entryPoint.name());
            request = RequestDeadlines.request(request, callback);
        }
        UnderscoreHeaders underscores = entryPoint.requestHead().underscoreHeaders();
        if (underscores != UnderscoreHeaders.KEEP && hasUnderscoreHeader(request.getHeaders())) {
            // http.underscoreHeadersStrategy, as Traefik applies it: before anything else reads the headers.
            if (underscores == UnderscoreHeaders.REJECT) {
                ErrorResponses.badRequest(request, response, callback);
                return true;
            }
            request = withoutUnderscoreHeaders(request);
        }
        request = EntryPointForwardedHeaders.apply(request, entryPoint.forwardedHeaders());
        if (entryPoint.refusesPath(request.getHttpURI().getPath())) {
            // http.encodedCharacters: Traefik's routers answer such a path 400 before their middlewares.
            ErrorResponses.badRequest(request, response, callback);
            return true;
        }
        // The request keeps the runtime it started on, which stays up until its last request is done.
        GatewayRuntime current = runtime;
        while (!current.enter()) {
            current = runtime; // retired and stopped meanwhile: its replacement is in place already
        }
        GatewayRuntime used = current;
        boolean handled;
        try {
            handled = used.table(index, request.isSecure()).handle(withRoutingPath(request, entryPoint.sanitizePath(),
                    entryPoint.requestHead().encodeQuerySemicolons()),
                    response, new RuntimeExit(callback, request, response, used), blockingRoutes);
        } catch (Throwable e) {
            used.exit(); // the callback was not taken: the caller completes it
            throw e;
        }
        if (!handled) {
            used.exit();
        }
        return handled;
    }

    /**
     * Counts the exchange out of its runtime when it completes; an upgraded one (a WebSocket) only when its tunnel
     * ends, because the tunnel goes on using that runtime's transport.
     */
    private static final class RuntimeExit extends Callback.Nested {
        private final Request request;
        private final Response response;
        private final GatewayRuntime runtime;

        RuntimeExit(Callback callback, Request request, Response response, GatewayRuntime runtime) {
            super(callback);
            this.request = request;
            this.response = response;
            this.runtime = runtime;
        }

        @Override
        public void succeeded() {
            // Read before completing: the exchange is recycled after it.
            Tunnel tunnel = response.getStatus() == HttpStatus.SWITCHING_PROTOCOLS_101
                    && request.getAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE) instanceof Tunnel upgraded
                    ? upgraded : null;
            try {
                super.succeeded();
            } finally {
                if (tunnel == null) {
                    runtime.exit();
                } else {
                    tunnel.whenEnded(runtime::exit);
                }
            }
        }

        @Override
        public void failed(Throwable failure) {
            try {
                super.failed(failure);
            } finally {
                runtime.exit();
            }
        }
    }

    private static boolean hasUnderscoreHeader(HttpFields headers) {
        for (HttpField field : headers) {
            if (field.getName().indexOf('_') >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The request without its headers whose names hold {@code _} (what the middlewares and the backend see). */
    private static Request withoutUnderscoreHeaders(Request request) {
        HttpFields.Mutable kept = HttpFields.build(request.getHeaders().size());
        for (HttpField field : request.getHeaders()) {
            if (field.getName().indexOf('_') < 0) {
                kept.add(field);
            }
        }
        HttpFields headers = kept.asImmutable();
        return new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
                return headers;
            }
        };
    }

    /**
     * The request with its path normalised (and sanitised, when the entry point says so), and the semicolons of its
     * query turned into {@code &}, as routing sees it and as it is forwarded upstream; the same request when that
     * changes nothing, which is the common case. The query is read as Traefik's entry points read it by default
     * (Go's {@code http.AllowQuerySemicolons}): {@code ?a=1;b=2} is {@code ?a=1&b=2}; with
     * {@code encodeQuerySemicolons} (the entry point's {@code http.encodeQuerySemicolons}) a semicolon is sent on as
     * {@code %3B} instead, and so is part of a value.
     */
    private static Request withRoutingPath(Request request, boolean sanitize, boolean encodeQuerySemicolons) {
        HttpURI uri = request.getHttpURI();
        String raw = uri.getPath();
        String path = RequestPath.of(raw, sanitize);
        String query = uri.getQuery();
        boolean semicolons = query != null && query.indexOf(';') >= 0;
        if (path.equals(raw) && !semicolons) {
            return request;
        }
        HttpURI.Mutable rewritten = HttpURI.build(uri).path(path);
        if (semicolons) {
            rewritten.query(encodeQuerySemicolons ? query.replace(";", "%3B") : query.replace(';', '&'));
        }
        return Request.serveAs(request, rewritten.asImmutable());
    }
}
