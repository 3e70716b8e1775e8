package dev.gatehouse.core.tracing;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.TracingConfig;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.otel.OtlpExporters;
import dev.gatehouse.core.otel.OtlpTarget;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * OpenTelemetry tracing of requests, as Traefik does it ({@code tracing} in the static configuration). Spans, by
 * Traefik's names:
 * <pre>
 * GET            (server)    the entry point: one per request, parent taken from the request's traceparent
 *   Router       (internal)  traceVerbosity detailed: the router, its rule and service
 *     StripPrefix  (internal)  detailed: one per middleware, named by its Traefik type
 *       Service    (internal)  detailed: the router's service
 *         ReverseProxy (client)  the request to the server; its context goes to the server in traceparent
 * </pre>
 * Requests are traced only when their router (or entry point) leaves {@code observability.tracing} on; routers to
 * the gateway's own services ({@code api@internal}) only with {@code addInternals}. Without {@code tracing} in the
 * configuration none of this exists and requests pay nothing; with it, a request that is not traced pays a look
 * for its {@link TracedRequest}.
 */
public final class Tracing implements AutoCloseable {

    static final AttributeKey<String> ENTRY_POINT = AttributeKey.stringKey("entry_point");
    static final AttributeKey<String> ROUTER_NAME = AttributeKey.stringKey("traefik.router.name");
    static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("traefik.service.name");
    static final AttributeKey<String> MIDDLEWARE_NAME = AttributeKey.stringKey("traefik.middleware.name");
    static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("http.request.body.size");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    static final AttributeKey<Long> CLIENT_PORT = AttributeKey.longKey("client.port");
    static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
    static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");

    private static final TextMapGetter<HttpFields> FROM_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpFields headers) {
            return headers.getFieldNamesCollection();
        }

        @Override
        public String get(HttpFields headers, String key) {
            return headers == null ? null : headers.get(key);
        }
    };

    private static final TextMapSetter<HttpFields.Mutable> TO_HEADERS = (headers, key, value) -> {
        if (headers != null) {
            headers.put(key, value);
        }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    /** W3C trace context and baggage: Traefik's propagators when OTEL_PROPAGATORS is not set. */
    private final TextMapPropagator propagator = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
            W3CBaggagePropagator.getInstance());
    /** {@code capturedRequestHeaders}, each with its attribute's key, made once rather than per request. */
    private final List<CapturedHeader> requestHeaders;
    /** {@code capturedResponseHeaders}, likewise. */
    private final List<CapturedHeader> responseHeaders;
    private final Set<String> safeQueryParams;
    private final boolean addInternals;

    Tracing(TracingConfig config, SpanExporter exporter, Resource resource) {
        provider = SdkTracerProvider.builder()
                .setResource(resource)
                // Parent-based, as Traefik: a request with a traceparent follows its parent's decision.
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRateOrDefault())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter)
                        .setScheduleDelay(OtlpExporters.scheduleDelay(System.getenv(), "OTEL_BSP_SCHEDULE_DELAY", 5000))
                        .build())
                .build();
        tracer = provider.get(OtlpExporters.TRAEFIK_SCOPE);
        requestHeaders = CapturedHeader.of("http.request.header.", withoutUserAgent(config.capturedRequestHeaders()));
        responseHeaders = CapturedHeader.of("http.response.header.", config.capturedResponseHeaders());
        safeQueryParams = Set.copyOf(config.safeQueryParams());
        addInternals = config.addInternalsOrDefault();
    }

    /** Starts tracing with the exporter {@code tracing.otlp} describes. */
    public static Tracing start(TracingConfig config, String version) throws ConfigurationException {
        OtlpTarget target = OtlpTarget.of(config.otlpOrDefault().http(), config.otlpOrDefault().grpc(), "/v1/traces",
                "tracing.otlp");
        return new Tracing(config, OtlpExporters.spans(target),
                OtlpExporters.resource(config.serviceNameOrDefault(), version, config.allResourceAttributes(), System.getenv()));
    }

    /** User-Agent is recorded as {@code user_agent.original} already, as in Traefik. */
    private static List<String> withoutUserAgent(List<String> names) {
        List<String> kept = new ArrayList<>();
        for (String name : names) {
            if (!name.equalsIgnoreCase("User-Agent")) {
                kept.add(name);
            }
        }
        return List.copyOf(kept);
    }

    /**
     * Whether a router to this service gets spans at all: one to the gateway's own services ({@code api@internal},
     * {@code ping@internal}, {@code noop@internal}...) only with {@code addInternals}, as Traefik decides it.
     */
    public boolean traces(String serviceName) {
        return addInternals || !serviceName.endsWith("@internal");
    }

    /**
     * The first handler of a router's chain: decides whether the request is traced (its record's switches, set by
     * the entry point and the router), starts the entry point's server span and, when detailed, the router's.
     */
    public Handler router(String router, String rule, String service, Handler next) {
        return new EntryPointSpan(next, router, rule, service);
    }

    /** Answers a request no router matches (404), with the entry point's span when the entry point traces. */
    public Handler notFound() {
        return new EntryPointSpan(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                ErrorResponses.notFound(request, response, callback);
                return true;
            }
        }, null, null, null);
    }

    /** The entry point's span (and the router's, when there is one and the request is traced in detail). */
    private final class EntryPointSpan extends Handler.Abstract {
        private final Handler next;
        /** Null for a request that no router matched. */
        private final String router;
        private final String rule;
        private final String service;

        EntryPointSpan(Handler next, String router, String rule, String service) {
            this.next = next;
            this.router = router;
            this.rule = rule;
            this.service = service;
        }

        /** As blocking as the chain it passes to: starting and ending spans does not block. */
        @Override
        public InvocationType getInvocationType() {
            return next.getInvocationType();
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            RequestRecord record = RequestRecord.of(request);
            if (record == null || !record.tracing()) {
                return next.handle(request, response, callback);
            }
            // The incoming trace context and baggage, with the entry point's span in it.
            Context context = serverSpan(request, record);
            Span server = Span.fromContext(context);
            Span routerSpan = null;
            if (router != null && record.detailedTracing()) {
                routerSpan = tracer.spanBuilder("Router").setParent(context).setSpanKind(SpanKind.INTERNAL)
                        .setAttribute(SERVICE_NAME, service).setAttribute(ROUTER_NAME, router)
                        .setAttribute(HTTP_ROUTE, rule == null ? "" : rule).startSpan();
                context = context.with(routerSpan);
            }
            Span innermost = routerSpan;
            Callback ending = new Callback.Nested(callback) {
                @Override
                public void succeeded() {
                    end();
                    super.succeeded();
                }

                @Override
                public void failed(Throwable failure) {
                    end();
                    super.failed(failure);
                }

                private void end() {
                    if (innermost != null) {
                        innermost.end();
                    }
                    endServerSpan(server, response);
                }
            };
            TracedRequest traced = new TracedRequest(request, Tracing.this, context, record.detailedTracing());
            try {
                if (next.handle(traced, response, ending)) {
                    return true;
                }
            } catch (Throwable failure) {
                server.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
                ending.failed(failure);
                return true;
            }
            // Not handled: the routing table answers 404 on the original callback; close the spans now.
            if (innermost != null) {
                innermost.end();
            }
            server.setAttribute(STATUS_CODE, 404L);
            server.end();
            return false;
        }
    }

    /** A middleware's span (detailed only), named by its Traefik type ({@code StripPrefix}), around {@code next}. */
    public Handler middleware(String typeKey, String name, Handler next) {
        return internal(MiddlewareSpanNames.of(typeKey), MIDDLEWARE_NAME, name, next);
    }

    /** The router's service's span (detailed only). */
    public Handler service(String name, Handler next) {
        return internal("Service", SERVICE_NAME, name, next);
    }

    private Handler internal(String spanName, AttributeKey<String> key, String value, Handler next) {
        return new Handler.Abstract() {
            @Override
            public InvocationType getInvocationType() {
                return next.getInvocationType();   // as the chain it passes to: a span does not block
            }

            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                TracedRequest parent = TracedRequest.find(request);
                if (parent == null || !parent.detailed) {
                    return next.handle(request, response, callback);
                }
                Span span = tracer.spanBuilder(spanName).setParent(parent.context).setSpanKind(SpanKind.INTERNAL)
                        .setAttribute(key, value).startSpan();
                Callback ending = Callback.from(span::end, callback);
                boolean handled;
                try {
                    handled = next.handle(new TracedRequest(request, Tracing.this, parent.context.with(span), true),
                            response, ending);
                } catch (Throwable failure) {
                    span.setStatus(StatusCode.ERROR);
                    span.end();
                    throw failure;
                }
                if (!handled) {
                    span.end();
                }
                return handled;
            }
        };
    }

    /** Whether the request is traced: {@link #clientSpan} would start a span for it. */
    public static boolean isTraced(Request clientToProxy) {
        return TracedRequest.find(clientToProxy) != null;
    }

    /** Starts the span of the request to {@code server}, if {@code clientToProxy} is traced; null otherwise. */
    public static ClientSpan clientSpan(Request clientToProxy, ClientSpanTarget server) {
        TracedRequest traced = TracedRequest.find(clientToProxy);
        return traced == null ? null : traced.tracing.startClient(traced, clientToProxy, server);
    }

    private ClientSpan startClient(TracedRequest traced, Request request, ClientSpanTarget server) {
        // Not through java.net.URI: it refuses characters Jetty lets through in a request (a '|' in the query).
        String target = server.target(request.getHttpURI().getPathQuery());
        int question = target.indexOf('?');
        String host = server.host();
        int port = server.port();
        SpanBuilder builder = tracer.spanBuilder("ReverseProxy").setParent(traced.context).setSpanKind(SpanKind.CLIENT)
                .setAttribute(METHOD, request.getMethod())
                .setAttribute(PROTOCOL_VERSION, protocolVersion(request.getConnectionMetaData().getProtocol()))
                .setAttribute(URL_FULL, safeUrl(server.scheme(), null, server.authority(),
                        question < 0 ? target : target.substring(0, question),
                        question < 0 ? null : target.substring(question + 1)))
                .setAttribute(URL_SCHEME, server.scheme())
                .setAttribute(USER_AGENT, orEmpty(request.getHeaders().get("User-Agent")))
                .setAttribute(PEER_ADDRESS, host).setAttribute(PEER_PORT, (long) port)
                .setAttribute(SERVER_ADDRESS, host).setAttribute(SERVER_PORT, (long) port);
        Span span = builder.startSpan();
        capture(span, requestHeaders, request.getHeaders());
        return new ClientSpan(this, span, traced.context.with(span));
    }

    /** Puts the span's context (traceparent, tracestate, baggage) into the headers to the server. */
    void inject(Context context, HttpFields.Mutable headers) {
        propagator.inject(context, headers, TO_HEADERS);
    }

    /** Ends a client span: errors from 400 on, as Traefik's client spans. */
    void endClientSpan(Span span, Response response) {
        int status = response.getStatus();
        if (status < 100 || status >= 600) {
            span.setStatus(StatusCode.ERROR, "Invalid HTTP status code " + status);
        } else if (status >= 400) {
            span.setStatus(StatusCode.ERROR);
        }
        finish(span, response, status);
    }

    /** Starts the entry point's span; returns the request's context (trace parent, baggage) holding it. */
    private Context serverSpan(Request request, RequestRecord record) {
        Context parent = propagator.extract(Context.root(), request.getHeaders(), FROM_HEADERS);
        String query = request.getHttpURI().getQuery();
        SpanBuilder builder = tracer.spanBuilder(record.method).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(epochNanosAt(record.startNanos), TimeUnit.NANOSECONDS)
                .setAttribute(ENTRY_POINT, record.entryPoint)
                .setAttribute(METHOD, record.method)
                .setAttribute(PROTOCOL_VERSION, protocolVersion(record.protocol))
                .setAttribute(BODY_SIZE, Math.max(record.requestContentLength, -1L))
                .setAttribute(URL_PATH, orEmpty(request.getHttpURI().getPath()))
                .setAttribute(URL_QUERY, query == null ? "" : safeQuery(query))
                .setAttribute(URL_SCHEME, record.scheme)
                .setAttribute(USER_AGENT, orEmpty(request.getHeaders().get("User-Agent")))
                .setAttribute(SERVER_ADDRESS, orEmpty(request.getHeaders().get("Host")))
                .setAttribute(PEER_ADDRESS, record.clientHost).setAttribute(CLIENT_ADDRESS, record.clientHost)
                .setAttribute(CLIENT_PORT, (long) record.clientPort).setAttribute(PEER_PORT, (long) record.clientPort);
        Span span = builder.startSpan();
        capture(span, requestHeaders, request.getHeaders());
        return parent.with(span);
    }

    /** The wall-clock time, in nanoseconds since the epoch, of a {@link System#nanoTime()} reading. */
    private static long epochNanosAt(long nanoTime) {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - (System.nanoTime() - nanoTime);
    }

    /** Ends the entry point's span: errors from 500 on (a 4xx is the client's doing), as Traefik's server spans. */
    private void endServerSpan(Span span, Response response) {
        int status = response.getStatus();
        if (status < 100 || status >= 600) {
            span.setStatus(StatusCode.ERROR, "Invalid HTTP status code " + status);
        } else if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        finish(span, response, status);
    }

    private void finish(Span span, Response response, int status) {
        if (status > 0) {
            span.setAttribute(STATUS_CODE, (long) status);
        }
        capture(span, responseHeaders, response.getHeaders());
        span.end();
    }

    private static void capture(Span span, List<CapturedHeader> captured, HttpFields headers) {
        for (CapturedHeader header : captured) {
            List<String> values = headers.getValuesList(header.name());
            if (!values.isEmpty()) {
                span.setAttribute(header.key(), values);
            }
        }
    }

    /** A header recorded on spans, under {@code <prefix><name in lower case>} as Traefik records it. */
    private record CapturedHeader(String name, AttributeKey<List<String>> key) {
        static List<CapturedHeader> of(String prefix, List<String> names) {
            return names.stream().map(name -> new CapturedHeader(name,
                    AttributeKey.stringArrayKey(prefix + name.toLowerCase(Locale.ROOT)))).toList();
        }
    }

    /** The URL with its password and every query value not in {@code safeQueryParams} replaced by REDACTED. */
    String safeUrl(java.net.URI uri) {
        String authority = uri.getRawAuthority();
        return safeUrl(uri.getScheme(), uri.getRawUserInfo(), authority.substring(authority.indexOf('@') + 1),
                uri.getRawPath(), uri.getRawQuery());
    }

    /**
     * The same from a URL's raw parts.
     *
     * @param userInfo null when the URL has none
     * @param hostPort the authority without its user info
     * @param rawQuery null when the URL has no query
     */
    private String safeUrl(String scheme, String userInfo, String hostPort, String rawPath, String rawQuery) {
        StringBuilder url = new StringBuilder().append(scheme).append("://");
        if (userInfo != null) {
            url.append("REDACTED:REDACTED@");
        }
        url.append(hostPort);
        url.append(rawPath == null ? "" : rawPath);
        if (rawQuery != null) {
            String query = safeQuery(rawQuery);
            if (!query.isEmpty()) {
                url.append('?').append(query);
            }
        }
        return url.toString();
    }

    /**
     * The query with every value not in {@code safeQueryParams} REDACTED, re-encoded and sorted by name as Go's
     * {@code url.Values.Encode} does in Traefik.
     */
    String safeQuery(String rawQuery) {
        java.util.TreeMap<String, List<String>> values = new java.util.TreeMap<>();
        for (String pair : rawQuery.split("[&;]")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        StringBuilder query = new StringBuilder();
        for (Map.Entry<String, List<String>> entry : values.entrySet()) {
            boolean safe = safeQueryParams.contains(entry.getKey());
            // Go's Values.Set keeps one REDACTED value for a redacted name.
            List<String> kept = safe ? entry.getValue() : List.of("REDACTED");
            for (String value : kept) {
                if (query.length() > 0) {
                    query.append('&');
                }
                query.append(URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        return query.toString();
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    /** {@code HTTP/1.1} as Traefik records it: {@code 1.1}. */
    static String protocolVersion(String protocol) {
        if (protocol == null) {
            return "";
        }
        return switch (protocol) {
            case "HTTP/1.0" -> "1.0";
            case "HTTP/1.1" -> "1.1";
            case "HTTP/2.0", "HTTP/2" -> "2";
            case "HTTP/3.0", "HTTP/3" -> "3";
            default -> protocol;
        };
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /** Sends the spans still buffered and stops the exporter (at most 5 seconds, as Traefik). */
    @Override
    public void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }
}
