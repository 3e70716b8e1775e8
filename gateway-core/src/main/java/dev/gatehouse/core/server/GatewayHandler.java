package dev.gatehouse.core.server;

import dev.gatehouse.api.ChallengeResponder;
import dev.gatehouse.core.observe.RequestObserver;
import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.dynamic.GatewayRuntime;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import dev.gatehouse.core.config.EntryPointHttpConfig.UnderscoreHeaders;
import org.eclipse.jetty.io.Content;
import dev.gatehouse.core.http.EntryPoint;
import dev.gatehouse.core.http.EntryPointForwardedHeaders;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.http.Tunnel;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.HttpStream;
import dev.gatehouse.core.router.RequestPath;
import org.eclipse.jetty.http.HttpURI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The root of the request path: finds the request's entry point (from its connector), answers pings on
 * the ping entry point, and hands everything else to that entry point's routing table in the current
 * runtime. The runtime is swapped atomically on reload; a request keeps the runtime it started with.
 */
final class GatewayHandler extends Handler.Abstract {

    private final PingHandler ping;
    private final int pingEntryPoint;
    private final RequestObserver observer;
    /** Endpoints answered ahead of the routers (metrics, API), by entry point index; set before start. */
    private final Map<Integer, List<AheadOfRouters>> ahead = new HashMap<>();

    private record AheadOfRouters(Predicate<Request> matches, Handler handler) {
    }
    private volatile GatewayRuntime runtime = GatewayRuntime.EMPTY;
    /** ACME HTTP-01 responders per entry point index (null where none); set before the server starts. */
    private ChallengeResponder[][] challenges = new ChallengeResponder[0][];

    /**
     * @param ping the ping handler, or null when ping is off or routed manually
     * @param pingEntryPoint the index of the entry point that answers pings
     * @param observer what records requests (access log, metrics), or null when nothing does
     */
    GatewayHandler(PingHandler ping, int pingEntryPoint, RequestObserver observer) {
        this.ping = ping;
        this.pingEntryPoint = pingEntryPoint;
        this.observer = observer;
    }

    void serveAheadOfRouters(int entryPoint, Predicate<Request> matches, Handler handler) {
        ahead.computeIfAbsent(entryPoint, i -> new ArrayList<>()).add(new AheadOfRouters(matches, handler));
    }

    void challenges(ChallengeResponder[][] responders) {
        this.challenges = responders;
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
        if (ping != null && index == pingEntryPoint && PingHandler.isPing(request)) {
            markInternal(request);
            return ping.handle(request, response, callback);
        }
        if (index < challenges.length && challenges[index] != null && answerChallenge(challenges[index], request, response,
                callback)) {
            return true;
        }
        List<AheadOfRouters> endpoints = ahead.get(index);
        if (endpoints != null) {
            for (AheadOfRouters endpoint : endpoints) {
                if (endpoint.matches().test(request)) {
                    markInternal(request);
                    return endpoint.handler().handle(request, response, callback);
                }
            }
        }
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
                    response, new RuntimeExit(callback, request, response, used));
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
     * What is answered ahead of the routers is, in Traefik, served by its internal routers: out of the access log and
     * metrics unless their {@code addInternals}. Call before answering: the record is completed with the response.
     */
    private static void markInternal(Request request) {
        RequestRecord record = RequestRecord.of(request);
        if (record != null) {
            record.internal();
        }
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
     * Answers {@code GET /.well-known/acme-challenge/<token>} when a resolver knows the token, ahead of every
     * router and every endpoint (as Traefik does); other requests, and unknown tokens, go on.
     */
    private static boolean answerChallenge(ChallengeResponder[] responders, Request request, Response response,
            Callback callback) {
        String path = request.getHttpURI().getPath();
        if (path == null || !path.startsWith(ChallengeResponder.PATH_PREFIX)) {
            return false;
        }
        String token = path.substring(ChallengeResponder.PATH_PREFIX.length());
        for (ChallengeResponder responder : responders) {
            String keyAuthorization = responder.keyAuthorization(token);
            if (keyAuthorization != null) {
                markInternal(request); // Traefik's acme-http@internal router
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                Content.Sink.write(response, true, keyAuthorization, callback);
                return true;
            }
        }
        return false;
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
