package dev.gatehouse.it;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A metrics-only OTLP receiver built on the official protobuf definitions ({@code opentelemetry-proto}): the
 * {@code MetricsService/Export} gRPC method, or {@code POST /v1/metrics} (protobuf, gzip or not) over HTTP or HTTPS. Each
 * export request is decoded and kept with the headers it came with; a request that does not decode fails the
 * export (so a wrong encoding shows as a failed export, not as an empty one).
 */
final class OtlpMetricsReceiver implements AutoCloseable {

    /** One export as received. */
    record Export(ExportMetricsServiceRequest request, Map<String, String> headers) {
    }

    private final List<Export> exports = new ArrayList<>();
    private final HttpServer http;
    private final Server grpc;

    private OtlpMetricsReceiver(boolean overGrpc, SSLContext tls) throws IOException {
        if (overGrpc) {
            http = null;
            grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(grpcService()).build().start();
        } else {
            grpc = null;
            if (tls != null) {
                HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                http = https;
            } else {
                http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            }
            http.createContext("/v1/metrics", exchange -> {
                try (exchange) {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    if (!"POST".equals(exchange.getRequestMethod())
                            || !"application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                        exchange.sendResponseHeaders(415, -1);
                        return;
                    }
                    InputStream in = new ByteArrayInputStream(body);
                    if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                        in = new GZIPInputStream(in);
                    }
                    ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(in);
                    Map<String, String> headers = new TreeMap<>();
                    exchange.getRequestHeaders().forEach((name, values) ->
                            headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
                    received(new Export(request, headers));
                    byte[] response = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
                    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, response.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(response);
                    }
                }
            });
            http.start();
        }
    }

    static OtlpMetricsReceiver http() throws IOException {
        return new OtlpMetricsReceiver(false, null);
    }

    /** {@code POST /v1/metrics} over HTTPS, with the certificate and key of {@code leaf}. */
    static OtlpMetricsReceiver https(TestCertificates.Leaf leaf) throws Exception {
        Path p12 = leaf.cert().resolveSibling(leaf.cert().getFileName() + ".p12");
        TestCertificates.openssl("pkcs12", "-export", "-in", leaf.cert().toString(), "-inkey", leaf.key().toString(),
                "-out", p12.toString(), "-passout", "pass:changeit");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return new OtlpMetricsReceiver(false, context);
    }

    static OtlpMetricsReceiver grpc() throws IOException {
        return new OtlpMetricsReceiver(true, null);
    }

    int port() {
        return grpc != null ? grpc.getPort() : http.getAddress().getPort();
    }

    private synchronized void received(Export export) {
        exports.add(export);
    }

    synchronized List<Export> exports() {
        return List.copyOf(exports);
    }

    /** The metric named {@code name} in the newest export that has it (values are cumulative), or null. */
    synchronized Metric latest(String name) {
        for (int i = exports.size() - 1; i >= 0; i--) {
            for (ResourceMetrics resource : exports.get(i).request().getResourceMetricsList()) {
                for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                    for (Metric metric : scope.getMetricsList()) {
                        if (metric.getName().equals(name)) {
                            return metric;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** The sum data point of {@code name} whose attributes are exactly {@code attributes}; NaN when there is none. */
    double sum(String name, Map<String, String> attributes) {
        Metric metric = latest(name);
        if (metric == null) {
            return Double.NaN;
        }
        return metric.getSum().getDataPointsList().stream()
                .filter(point -> attributes(point.getAttributesList()).equals(attributes))
                .mapToDouble(point -> point.hasAsDouble() ? point.getAsDouble() : point.getAsInt())
                .findFirst().orElse(Double.NaN);
    }

    /** The histogram data point of {@code name} whose attributes are exactly {@code attributes}. */
    io.opentelemetry.proto.metrics.v1.HistogramDataPoint histogram(String name, Map<String, String> attributes) {
        Metric metric = latest(name);
        org.junit.jupiter.api.Assertions.assertNotNull(metric, "no metric " + name + " received yet");
        return metric.getHistogram().getDataPointsList().stream()
                .filter(point -> attributes(point.getAttributesList()).equals(attributes)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " point with " + attributes + " in " + metric));
    }

    static Map<String, String> attributes(List<KeyValue> attributes) {
        Map<String, String> map = new TreeMap<>();
        for (KeyValue attribute : attributes) {
            map.put(attribute.getKey(), attribute.getValue().getStringValue());
        }
        return map;
    }

    private ServerServiceDefinition grpcService() {
        MethodDescriptor<ExportMetricsServiceRequest, ExportMetricsServiceResponse> export = MethodDescriptor
                .<ExportMetricsServiceRequest, ExportMetricsServiceResponse>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("opentelemetry.proto.collector.metrics.v1.MetricsService/Export")
                .setRequestMarshaller(new Protobuf<>(ExportMetricsServiceRequest::parseFrom))
                .setResponseMarshaller(new Protobuf<>(ExportMetricsServiceResponse::parseFrom))
                .build();
        ServerCallHandler<ExportMetricsServiceRequest, ExportMetricsServiceResponse> handler = (call, metadata) -> {
            call.request(1);
            return new ServerCall.Listener<>() {
                private ExportMetricsServiceRequest request;

                @Override
                public void onMessage(ExportMetricsServiceRequest message) {
                    request = message;
                }

                @Override
                public void onHalfClose() {
                    Map<String, String> headers = new TreeMap<>();
                    for (String key : metadata.keys()) {
                        if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                            headers.put(key, metadata.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)));
                        }
                    }
                    received(new Export(request, headers));
                    call.sendHeaders(new Metadata());
                    call.sendMessage(ExportMetricsServiceResponse.getDefaultInstance());
                    call.close(Status.OK, new Metadata());
                }
            };
        };
        return ServerServiceDefinition.builder("opentelemetry.proto.collector.metrics.v1.MetricsService")
                .addMethod(export, handler).build();
    }

    private interface Parser<T> {
        T parse(InputStream in) throws IOException;
    }

    private record Protobuf<T extends com.google.protobuf.MessageLite>(Parser<T> parser)
            implements MethodDescriptor.Marshaller<T> {
        @Override
        public InputStream stream(T value) {
            return new ByteArrayInputStream(value.toByteArray());
        }

        @Override
        public T parse(InputStream stream) {
            try {
                return parser.parse(stream);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (http != null) {
            http.stop(0);
        }
        if (grpc != null) {
            grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
