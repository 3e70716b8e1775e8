package dev.gatehouse.otlp;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;

/**
 * A real OTLP receiver for tests, standing in for the OpenTelemetry Collector (which has no Debian package): it
 * serves the three OTLP services (traces, logs, metrics) over gRPC ({@code opentelemetry.proto.collector.*.v1}
 * {@code Export}, plain HTTP/2) and over HTTP (protobuf {@code POST /v1/traces}, {@code /v1/logs},
 * {@code /v1/metrics}, gzip accepted, optionally over TLS), decodes every request with the official protobuf
 * definitions and records what it got. A malformed request is answered with an error, as a collector would, and
 * recorded in {@link #rejected()}: nothing is accepted blindly.
 *
 * <pre>{@code
 * try (OtlpReceiver receiver = OtlpReceiver.start()) {
 *     // tracing.otlp.http.endpoint: receiver.httpEndpoint() + "/v1/traces"
 *     // tracing.otlp.grpc.endpoint: receiver.grpcAddress(), insecure: true
 *     List<OtlpReceiver.ReceivedSpan> spans = receiver.awaitSpans(s -> s.span().getName().equals("GET"), 1, Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class OtlpReceiver implements AutoCloseable {

    /** A span as received, with the resource and scope it came under and the transport it came by. */
    public record ReceivedSpan(Resource resource, String scope, Span span, String transport) {
    }

    /** A log record as received. */
    public record ReceivedLog(Resource resource, String scope, LogRecord log, String transport) {
    }

    private final Server grpc;
    private final HttpServer http;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<ReceivedLog> logs = new CopyOnWriteArrayList<>();
    private final List<ResourceMetrics> metrics = new CopyOnWriteArrayList<>();
    private final List<String> rejected = new CopyOnWriteArrayList<>();
    /** The headers (HTTP) or metadata (gRPC) of the last export, by lower-case name. */
    private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    /** Exports still to refuse as a collector that is overloaded would (gRPC UNAVAILABLE, HTTP 503). */
    private final java.util.concurrent.atomic.AtomicInteger toRefuse = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param httpTls HTTPS with this context, or null for plain HTTP
     * @param grpcTls gRPC over TLS with this certificate chain and PKCS#8 key (PEM files), or null for plain HTTP/2
     */
    private OtlpReceiver(SSLContext httpTls, java.io.File[] grpcTls) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        grpc = Grpc.newServerBuilderForPort(0, grpcTls == null ? InsecureServerCredentials.create()
                        : io.grpc.TlsServerCredentials.create(grpcTls[0], grpcTls[1]))
                .addService(ServerInterceptors.intercept(service("opentelemetry.proto.collector.trace.v1.TraceService",
                        ExportTraceServiceRequest.getDefaultInstance(), ExportTraceServiceResponse.getDefaultInstance(),
                        request -> recordSpans(request, "grpc")), headerCapture()))
                .addService(ServerInterceptors.intercept(service("opentelemetry.proto.collector.logs.v1.LogsService",
                        ExportLogsServiceRequest.getDefaultInstance(), ExportLogsServiceResponse.getDefaultInstance(),
                        request -> recordLogs(request, "grpc")), headerCapture()))
                .addService(ServerInterceptors.intercept(service("opentelemetry.proto.collector.metrics.v1.MetricsService",
                        ExportMetricsServiceRequest.getDefaultInstance(), ExportMetricsServiceResponse.getDefaultInstance(),
                        request -> metrics.addAll(request.getResourceMetricsList())), headerCapture()))
                .build();
        grpc.start();
        if (httpTls != null) {
            HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(httpTls));
            http = https;
        } else {
            http = HttpServer.create(loopback, 0);
        }
        http.createContext("/v1/traces", exchange -> receive(exchange, ExportTraceServiceRequest.parser(),
                request -> recordSpans(request, "http"), ExportTraceServiceResponse.getDefaultInstance()));
        http.createContext("/v1/logs", exchange -> receive(exchange, ExportLogsServiceRequest.parser(),
                request -> recordLogs(request, "http"), ExportLogsServiceResponse.getDefaultInstance()));
        http.createContext("/v1/metrics", exchange -> receive(exchange, ExportMetricsServiceRequest.parser(),
                request -> metrics.addAll(request.getResourceMetricsList()), ExportMetricsServiceResponse.getDefaultInstance()));
        http.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "otlp-receiver-http");
            thread.setDaemon(true);
            return thread;
        }));
        http.start();
    }

    /** A receiver on loopback ports, HTTP in clear text. */
    public static OtlpReceiver start() throws IOException {
        return new OtlpReceiver(null, null);
    }

    /** A receiver whose HTTP side is HTTPS with {@code tls} (its certificate and key). */
    public static OtlpReceiver startWithHttpTls(SSLContext tls) throws IOException {
        return new OtlpReceiver(tls, null);
    }

    /**
     * A receiver whose gRPC side speaks TLS (with ALPN {@code h2}, as collectors require) with this certificate
     * chain and PKCS#8 private key, PEM files.
     */
    public static OtlpReceiver startWithGrpcTls(java.io.File certificateChain, java.io.File privateKey) throws IOException {
        return new OtlpReceiver(null, new java.io.File[] {certificateChain, privateKey});
    }

    /** {@code http://127.0.0.1:<port>} (or https): add {@code /v1/traces}, {@code /v1/logs} or {@code /v1/metrics}. */
    public String httpEndpoint() {
        return (http instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + http.getAddress().getPort();
    }

    /** The HTTP side's port (for an endpoint by another name, {@code https://localhost:<port>}). */
    public int httpPort() {
        return http.getAddress().getPort();
    }

    /** {@code 127.0.0.1:<port>} of the gRPC side (plain HTTP/2, {@code insecure: true}, unless started with TLS). */
    public String grpcAddress() {
        return "127.0.0.1:" + grpc.getPort();
    }

    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    public List<ReceivedLog> logs() {
        return List.copyOf(logs);
    }

    public List<ResourceMetrics> metrics() {
        return List.copyOf(metrics);
    }

    /**
     * The metric named {@code name} in the newest export that has it, or null. The gateway's metrics are cumulative,
     * so the newest is the total so far.
     */
    public Metric latestMetric(String name) {
        List<ResourceMetrics> received = metrics();
        for (int i = received.size() - 1; i >= 0; i--) {
            for (ScopeMetrics scope : received.get(i).getScopeMetricsList()) {
                for (Metric metric : scope.getMetricsList()) {
                    if (metric.getName().equals(name)) {
                        return metric;
                    }
                }
            }
        }
        return null;
    }

    /** The newest value of the sum {@code name} whose attributes are exactly {@code attributes}; NaN when none. */
    public double sum(String name, Map<String, String> attributes) {
        Metric metric = latestMetric(name);
        if (metric == null) {
            return Double.NaN;
        }
        return metric.getSum().getDataPointsList().stream()
                .filter(point -> attributes(point.getAttributesList()).equals(attributes))
                .mapToDouble(point -> point.hasAsDouble() ? point.getAsDouble() : point.getAsInt())
                .findFirst().orElse(Double.NaN);
    }

    /** The newest data point of the histogram {@code name} whose attributes are exactly {@code attributes}. */
    public HistogramDataPoint histogram(String name, Map<String, String> attributes) {
        Metric metric = latestMetric(name);
        if (metric == null) {
            throw new AssertionError("no metric " + name + " received yet");
        }
        return metric.getHistogram().getDataPointsList().stream()
                .filter(point -> attributes(point.getAttributesList()).equals(attributes)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " point with " + attributes + " in " + metric));
    }

    /** OTLP attributes (or resource attributes) as a sorted map of their string values. */
    public static Map<String, String> attributes(List<KeyValue> attributes) {
        Map<String, String> map = new TreeMap<>();
        for (KeyValue attribute : attributes) {
            map.put(attribute.getKey(), attribute.getValue().getStringValue());
        }
        return map;
    }

    /** Refuses the next {@code count} exports as unavailable (gRPC UNAVAILABLE, HTTP 503), to test retries. */
    public void refuseNext(int count) {
        toRefuse.set(count);
    }

    /** How many exports {@link #refuseNext} refused so far. */
    public int refusedOnPurpose() {
        return refused.get();
    }

    private boolean refuseThisOne() {
        if (toRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            refused.incrementAndGet();
            return true;
        }
        return false;
    }

    /** What was refused as malformed (wrong path, method, content type or undecodable body). */
    public List<String> rejected() {
        return List.copyOf(rejected);
    }

    /** The headers of the last export (HTTP headers or gRPC metadata), by lower-case name. */
    public Map<String, String> lastHeaders() {
        return Map.copyOf(lastHeaders);
    }

    /** Waits until at least {@code count} received spans match, and returns those that do. */
    public List<ReceivedSpan> awaitSpans(Predicate<ReceivedSpan> matching, int count, Duration timeout)
            throws InterruptedException {
        return await(spans, matching, count, timeout, "spans");
    }

    /** Waits until at least {@code count} received log records match, and returns those that do. */
    public List<ReceivedLog> awaitLogs(Predicate<ReceivedLog> matching, int count, Duration timeout)
            throws InterruptedException {
        return await(logs, matching, count, timeout, "log records");
    }

    /** Waits until at least {@code count} received metric batches (one per resource and export) match. */
    public List<ResourceMetrics> awaitMetrics(Predicate<ResourceMetrics> matching, int count, Duration timeout)
            throws InterruptedException {
        return await(metrics, matching, count, timeout, "metric batches");
    }

    private static <T> List<T> await(List<T> received, Predicate<T> matching, int count, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<T> found = new ArrayList<>();
            for (T item : received) {
                if (matching.test(item)) {
                    found.add(item);
                }
            }
            if (found.size() >= count) {
                return found;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " matching " + what + " within " + timeout + ", got "
                        + found.size() + " of " + received.size() + " received");
            }
            Thread.sleep(20);
        }
    }

    private void recordSpans(ExportTraceServiceRequest request, String transport) {
        for (ResourceSpans resource : request.getResourceSpansList()) {
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (Span span : scope.getSpansList()) {
                    spans.add(new ReceivedSpan(resource.getResource(), scope.getScope().getName(), span, transport));
                }
            }
        }
    }

    private void recordLogs(ExportLogsServiceRequest request, String transport) {
        for (ResourceLogs resource : request.getResourceLogsList()) {
            for (ScopeLogs scope : resource.getScopeLogsList()) {
                for (LogRecord log : scope.getLogRecordsList()) {
                    logs.add(new ReceivedLog(resource.getResource(), scope.getScope().getName(), log, transport));
                }
            }
        }
    }

    private <Q extends Message> void receive(HttpExchange exchange, Parser<Q> parser, java.util.function.Consumer<Q> sink,
            Message response) throws IOException {
        try (exchange) {
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (!"POST".equals(exchange.getRequestMethod()) || type == null || !type.startsWith("application/x-protobuf")) {
                rejected.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + type);
                exchange.sendResponseHeaders(415, -1);
                return;
            }
            Q request;
            try (InputStream body = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                request = parser.parseFrom(body);
            } catch (IOException e) {
                rejected.add("undecodable " + exchange.getRequestURI() + ": " + e.getMessage());
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            if (refuseThisOne()) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            lastHeaders.clear();
            exchange.getRequestHeaders().forEach((name, values) -> lastHeaders.put(name.toLowerCase(), String.join(",", values)));
            sink.accept(request);
            byte[] answer = response.toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    /** One OTLP gRPC service: its unary {@code Export}, decoded with the official messages. */
    private <Q extends Message, A extends Message> ServerServiceDefinition service(String name, Q requestType,
            A response, java.util.function.Consumer<Q> sink) {
        MethodDescriptor<Q, A> export = MethodDescriptor.<Q, A>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(name, "Export"))
                .setRequestMarshaller(ProtoUtils.marshaller(requestType))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
        return ServerServiceDefinition.builder(name)
                .addMethod(export, ServerCalls.asyncUnaryCall((request, observer) -> {
                    if (refuseThisOne()) {
                        observer.onError(io.grpc.Status.UNAVAILABLE.withDescription("refused on purpose").asRuntimeException());
                        return;
                    }
                    sink.accept(request);
                    observer.onNext(response);
                    observer.onCompleted();
                }))
                .build();
    }

    private ServerInterceptor headerCapture() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                    ServerCallHandler<Q, A> next) {
                lastHeaders.clear();
                for (String key : headers.keys()) {
                    if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                        String value = headers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
                        if (value != null) {
                            lastHeaders.put(key.toLowerCase(), value);
                        }
                    }
                }
                return next.startCall(call, headers);
            }
        };
    }

    @Override
    public void close() {
        grpc.shutdownNow();
        http.stop(0);
    }
}
