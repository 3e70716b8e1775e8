package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.otlp.OtlpReceiver;
import dev.gatehouse.otlp.OtlpReceiver.ReceivedSpan;
import dev.gatehouse.testkit.TestGateway;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tracing} with OTLP to a real receiver ({@link OtlpReceiver}, on the official protobuf definitions): the
 * spans Traefik makes, their links and attributes, and the trace context the backend gets.
 */
class TracingTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern TRACEPARENT = Pattern.compile("header: traceparent: 00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

    @TempDir
    Path dir;

    private static String staticConfig(String tracing) {
        return """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  providersThrottleDuration: 100ms
                  file:
                    directory: dynamic
                """ + tracing;
    }

    private static String routes(String backend, String observability) {
        return routes(backend, observability, "");
    }

    /**
     * @param observability lines added to the router {@code app}
     * @param moreRouters more routers, indented as routers
     */
    private static String routes(String backend, String observability, String moreRouters) {
        return """
                http:
                  routers:
                    app:
                      rule: PathPrefix(`/app`)
                      service: app
                      middlewares: [strip]
                %s
                    quiet:
                      rule: PathPrefix(`/quiet`)
                      service: app
                      observability:
                        tracing: false
                %s
                  middlewares:
                    strip:
                      stripPrefix:
                        prefixes: [/app]
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(observability, moreRouters, backend);
    }

    private static String hex(com.google.protobuf.ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static Map<String, AnyValue> attributes(Span span) {
        return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    }

    private static String string(Span span, String key) {
        AnyValue value = attributes(span).get(key);
        assertNotNull(value, key + " on " + span.getName() + ": " + attributes(span).keySet());
        return value.getStringValue();
    }

    private static long number(Span span, String key) {
        AnyValue value = attributes(span).get(key);
        assertNotNull(value, key + " on " + span.getName());
        return value.getIntValue();
    }

    private static Span only(List<ReceivedSpan> spans, String name) {
        List<Span> named = spans.stream().map(ReceivedSpan::span).filter(s -> s.getName().equals(name)).toList();
        assertEquals(1, named.size(), "one " + name + " span in " + spans.stream().map(s -> s.span().getName()).toList());
        return named.get(0);
    }

    /** The spans of one trace, once its server span (the last to end) has arrived. */
    private static List<ReceivedSpan> trace(OtlpReceiver receiver, String traceId) throws InterruptedException {
        receiver.awaitSpans(s -> hex(s.span().getTraceId()).equals(traceId) && s.span().getKind() == Span.SpanKind.SPAN_KIND_SERVER,
                1, WAIT);
        return receiver.spans().stream().filter(s -> hex(s.span().getTraceId()).equals(traceId)).toList();
    }

    /** The sampled bit of the trace flags (the SDK also sets W3C level 2's random-trace-id bit). */
    private static boolean sampled(Matcher traceparent) {
        return (Integer.parseInt(traceparent.group(3), 16) & 1) == 1;
    }

    private static Matcher traceparent(HttpResponse<String> response) {
        Matcher matcher = TRACEPARENT.matcher(response.body());
        assertTrue(matcher.find(), "the backend got a traceparent: " + response.body());
        return matcher;
    }

    @Test
    void detailedVerbositySendsTraefiksSpansOverHttpAndTheBackendContinuesTheProxySpan() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, routes(backend.url(), """
                           observability:
                             traceVerbosity: detailed
                     """)).staticConfig(staticConfig("""
                     tracing:
                       serviceName: edge
                       resourceAttributes:
                         deployment.environment: test
                       capturedRequestHeaders: [X-Team]
                       capturedResponseHeaders: [Content-Type]
                       safeQueryParams: [page]
                       otlp:
                         http:
                           endpoint: %s
                     """.formatted(receiver.httpEndpoint()))).start()) {
            HttpResponse<String> response = Http.get(gateway.url("/app/items?page=2&token=s3cret"), "X-Team", "blue");
            assertEquals(200, response.statusCode());
            Matcher sent = traceparent(response);
            List<ReceivedSpan> spans = trace(receiver, sent.group(1));
            assertTrue(sampled(sent), "sampled");

            Span server = only(spans, "GET");
            Span router = only(spans, "Router");
            Span middleware = only(spans, "StripPrefix");
            Span service = only(spans, "Service");
            Span proxy = only(spans, "ReverseProxy");
            assertEquals(Span.SpanKind.SPAN_KIND_SERVER, server.getKind());
            assertEquals(Span.SpanKind.SPAN_KIND_INTERNAL, router.getKind());
            assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, proxy.getKind());
            assertTrue(server.getParentSpanId().isEmpty(), "a new trace starts at the entry point");
            assertEquals(server.getSpanId(), router.getParentSpanId());
            assertEquals(router.getSpanId(), middleware.getParentSpanId());
            assertEquals(middleware.getSpanId(), service.getParentSpanId());
            assertEquals(service.getSpanId(), proxy.getParentSpanId());
            assertEquals(hex(proxy.getSpanId()), sent.group(2), "the backend's parent is the ReverseProxy span");

            assertEquals("web", string(server, "entry_point"));
            assertEquals("/app/items", string(server, "url.path"));
            assertEquals("page=2&token=REDACTED", string(server, "url.query"));
            assertEquals("blue", attributes(server).get("http.request.header.x-team").getArrayValue().getValues(0).getStringValue());
            assertTrue(attributes(server).containsKey("http.response.header.content-type"));
            assertEquals(200, number(server, "http.response.status_code"));
            assertEquals("app@file", string(router, "traefik.router.name"));
            assertEquals("app@file", string(router, "traefik.service.name"));
            assertEquals("PathPrefix(`/app`)", string(router, "http.route"));
            assertEquals("strip@file", string(middleware, "traefik.middleware.name"));
            assertEquals("app@file", string(service, "traefik.service.name"));
            assertEquals(backend.url() + "/items?page=2&token=REDACTED", string(proxy, "url.full"));
            assertEquals(backend.port(), number(proxy, "server.port"));

            Map<String, String> resource = receiver.spans().get(0).resource().getAttributesList().stream()
                    .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
            assertEquals("edge", resource.get("service.name"));
            assertEquals("test", resource.get("deployment.environment"));
            assertEquals("http", spans.get(0).transport());
            assertEquals(List.of(), receiver.rejected());
        }
    }

    @Test
    void minimalVerbosityContinuesAnIncomingTraceOverGrpcRetriesAndFlagsServerErrors() throws Exception {
        Handler failing = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(503);
                response.write(true, java.nio.ByteBuffer.wrap(("header: traceparent: "
                        + request.getHeaders().get("traceparent") + "\nheader: baggage: "
                        + request.getHeaders().get("baggage")).getBytes()), callback);
                return true;
            }
        };
        try (OtlpReceiver receiver = OtlpReceiver.start();
             TestBackend backend = TestBackend.with("down", failing);
             TestGateway gateway = Gateways.withDynamic(dir, routes(backend.url(), ""))
                     .staticConfig(staticConfig("""
                     tracing:
                       otlp:
                         grpc:
                           endpoint: %s
                           insecure: true
                           headers:
                             authorization: Bearer abc
                     """.formatted(receiver.grpcAddress()))).start()) {
            // A collector that is briefly unavailable: the export is tried again (the SDK's retry policy).
            receiver.refuseNext(1);
            String incomingTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
            String incomingParent = "00f067aa0ba902b7";
            HttpResponse<String> response = Http.get(gateway.url("/app/x"),
                    "traceparent", "00-" + incomingTrace + "-" + incomingParent + "-01", "baggage", "team=blue");
            assertEquals(503, response.statusCode());
            Matcher sent = traceparent(response);
            assertEquals(incomingTrace, sent.group(1), "the incoming trace goes on to the backend");
            assertTrue(response.body().contains("header: baggage: team=blue"), "baggage too: " + response.body());

            List<ReceivedSpan> spans = trace(receiver, incomingTrace);
            assertEquals(List.of("GET", "ReverseProxy"), spans.stream().map(s -> s.span().getName()).sorted().toList(),
                    "minimal verbosity: the entry point and the request to the server");
            Span server = only(spans, "GET");
            Span proxy = only(spans, "ReverseProxy");
            assertEquals(incomingParent, hex(server.getParentSpanId()));
            assertEquals(server.getSpanId(), proxy.getParentSpanId());
            assertEquals(hex(proxy.getSpanId()), sent.group(2));
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, server.getStatus().getCode(), "5xx is an error");
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, proxy.getStatus().getCode());
            assertEquals(503, number(proxy, "http.response.status_code"));
            assertEquals("grpc", spans.get(0).transport());
            assertEquals("Bearer abc", receiver.lastHeaders().get("authorization"));
            assertEquals(1, receiver.refusedOnPurpose(), "the spans came by a retry");

            // As Traefik, a request no router matches is traced on its entry point: its 404, not an error.
            String unrouted = "5bf92f3577b34da6a3ce929d0e0e4737";
            assertEquals(404, Http.get(gateway.url("/nowhere"), "traceparent", "00-" + unrouted + "-" + incomingParent + "-01")
                    .statusCode());
            List<ReceivedSpan> notFound = trace(receiver, unrouted);
            assertEquals(List.of("GET"), notFound.stream().map(s -> s.span().getName()).toList());
            assertEquals(404, number(notFound.get(0).span(), "http.response.status_code"));
            assertEquals(Status.StatusCode.STATUS_CODE_UNSET, notFound.get(0).span().getStatus().getCode());
        }
    }

    @Test
    void sampleRateZeroRouterSwitchOffAndInternalServicesSendNothingButSampledParentsAreFollowed() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, routes(backend.url(), "", """
                         api:
                           rule: PathPrefix(`/api`)
                           service: api@internal
                     """)).staticConfig(staticConfig("""
                     api: {}
                     tracing:
                       sampleRate: 0.0
                       otlp:
                         http:
                           endpoint: %s/v1/traces
                     """.formatted(receiver.httpEndpoint()))).start()) {
            Matcher unsampled = traceparent(Http.get(gateway.url("/app/first")));
            assertFalse(sampled(unsampled), "not sampled: the backend is told so");
            HttpResponse<String> quiet = Http.get(gateway.url("/quiet/x"),
                    "traceparent", "00-11111111111111111111111111111111-2222222222222222-01");
            assertTrue(quiet.body().contains("traceparent: 00-11111111111111111111111111111111-2222222222222222-01"),
                    "observability.tracing false: the client's traceparent goes through untouched: " + quiet.body());

            assertEquals(200, Http.get(gateway.url("/api/version"),
                    "traceparent", "00-33333333333333333333333333333333-4444444444444444-01").statusCode(),
                    "a router to the gateway's own api@internal: not traced without addInternals, even when sampled");

            String sampledTrace = "0af7651916cd43dd8448eb211c80319c";
            traceparent(Http.get(gateway.url("/app/second"), "traceparent", "00-" + sampledTrace + "-b7ad6b7169203331-01"));
            // The sampled parent's spans end after the two requests before; exports keep that order.
            trace(receiver, sampledTrace);
            assertEquals(List.of(sampledTrace), receiver.spans().stream().map(s -> hex(s.span().getTraceId())).distinct().toList(),
                    "only the trace whose parent was sampled is sent");
        }
    }

    @Test
    void entryPointSwitchesAreTheDefaultsThatARouterOverrides() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, routes(backend.url(), """
                           observability:
                             tracing: true
                     """, """
                         plain:
                           rule: PathPrefix(`/plain`)
                           service: app
                     """)).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                         observability:
                           tracing: false
                           traceVerbosity: detailed
                     providers:
                       providersThrottleDuration: 100ms
                       file:
                         directory: dynamic
                     tracing:
                       otlp:
                         http:
                           endpoint: %s
                     """.formatted(receiver.httpEndpoint())).start()) {
            HttpResponse<String> plain = Http.get(gateway.url("/plain/x"));
            assertEquals(200, plain.statusCode());
            assertFalse(plain.body().contains("traceparent"), "the entry point's tracing: false: " + plain.body());

            Matcher sent = traceparent(Http.get(gateway.url("/app/x")));
            List<ReceivedSpan> spans = trace(receiver, sent.group(1));
            assertEquals(List.of("GET", "ReverseProxy", "Router", "Service", "StripPrefix"),
                    spans.stream().map(s -> s.span().getName()).sorted().toList(),
                    "the router turns tracing on and keeps the entry point's detailed verbosity");
            assertEquals(1, receiver.spans().stream().map(s -> hex(s.span().getTraceId())).distinct().count(),
                    "nothing from the router that follows its entry point");
        }
    }

    @Test
    void grpcExporterSpeaksTlsWithAlpnAndTrustsTheConfiguredCa() throws Exception {
        TestCertificates certificates = TestCertificates.ca(dir.resolve("pki"));
        TestCertificates.Leaf leaf = certificates.leaf("collector", "ec", "localhost");
        try (OtlpReceiver receiver = OtlpReceiver.startWithGrpcTls(leaf.cert().toFile(), leaf.key().toFile());
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, routes(backend.url(), ""))
                     .staticConfig(staticConfig("""
                     tracing:
                       otlp:
                         grpc:
                           endpoint: %s
                           tls:
                             ca: %s
                     """.formatted(receiver.grpcAddress().replace("127.0.0.1", "localhost"), certificates.caFile()))).start()) {
            Matcher sent = traceparent(Http.get(gateway.url("/app/x")));
            List<ReceivedSpan> spans = trace(receiver, sent.group(1));
            assertEquals("grpc", spans.get(0).transport());
        }
    }

    @Test
    void httpExporterTrustsTheCollectorThroughTheConfiguredCa() throws Exception {
        TestCertificates certificates = TestCertificates.ca(dir.resolve("pki"));
        TestCertificates.Leaf leaf = certificates.leaf("collector", "ec", "localhost");
        SSLContext tls = leaf.serverContext();
        try (OtlpReceiver receiver = OtlpReceiver.startWithHttpTls(tls);
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, routes(backend.url(), ""))
                     .staticConfig(staticConfig("""
                     tracing:
                       otlp:
                         http:
                           endpoint: %s
                           tls:
                             ca: %s
                     """.formatted(receiver.httpEndpoint().replace("127.0.0.1", "localhost"), certificates.caFile()))).start()) {
            Matcher sent = traceparent(Http.get(gateway.url("/app/x")));
            assertFalse(trace(receiver, sent.group(1)).isEmpty());
        }
    }

    @Test
    void aQueryWithCharactersJavaUrisRefuseIsProxiedAndTracedWithItsValuesRedacted() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, routes(backend.url(), ""))
                     .staticConfig(staticConfig("""
                     tracing:
                       otlp:
                         http:
                           endpoint: %s
                     """.formatted(receiver.httpEndpoint()))).start()) {
            // Jetty lets a '|' through in the query, as Go does; java.net.URI does not.
            RawHttp.Response response = RawHttp.exchange(gateway.port("web"),
                    "GET /app/search?q=a|b HTTP/1.1\r\nHost: example.test\r\nConnection: close");
            assertEquals(200, response.status(), response.bodyText());
            Matcher sent = TRACEPARENT.matcher(response.bodyText());
            assertTrue(sent.find(), "the backend got a traceparent: " + response.bodyText());
            Span proxy = only(trace(receiver, sent.group(1)), "ReverseProxy");
            assertEquals(backend.url() + "/search?q=REDACTED", string(proxy, "url.full"));
        }
    }
}
