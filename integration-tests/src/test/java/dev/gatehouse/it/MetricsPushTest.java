package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.testkit.TestGateway;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import dev.gatehouse.otlp.OtlpReceiver;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metrics.otlp}, {@code statsD}, {@code datadog} and {@code influxDB2}: after known traffic through a real
 * gateway, a real receiver of each protocol (an OTLP receiver decoding the official protobuf messages over HTTP and
 * gRPC, a UDP socket reading StatsD and DogStatsD lines, an HTTP endpoint reading InfluxDB line protocol) holds
 * Traefik's metric names, types, labels and exact counts. A backend that is down is logged, rate-limited, and
 * requests keep being served.
 */
class MetricsPushTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static TestGateway gateway(Path dir, TestBackend backend, String metrics) {
        return Gateways.withDynamic(dir, Gateways.appRoute(backend.url())).staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  providersThrottleDuration: 50ms
                  file:
                    directory: dynamic
                metrics:
                """ + metrics.indent(2));
    }

    /** Three GETs (200), one unrouted GET (404), one POST of 5 bytes (200). */
    private static void traffic(TestGateway gateway) throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, Http.status(gateway.url("/app/" + i)));
        }
        assertEquals(404, Http.status(gateway.url("/none")));
        HttpResponse<String> post = Http.client().send(HttpRequest.newBuilder(URI.create(gateway.url("/app/post")))
                .POST(HttpRequest.BodyPublishers.ofString("12345")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode());
    }

    /**
     * Runs {@code checks} until they pass or {@link #WAIT} is over (then their last failure is thrown): a request's
     * values may reach the receiver in two pushes (its entry point's in one, its service's in the next), and the
     * pushes come at their own pace.
     */
    private static void eventually(Executable checks) throws Throwable {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                checks.execute();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    // ---- OTLP ----

    private static Map<String, String> labels(String... pairs) {
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void otlpOverHttpExportsTraefiksInstrumentsWithTheirAttributes() throws Throwable {
        try (OtlpReceiver receiver = OtlpReceiver.start();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = gateway(dir, backend, """
                     otlp:
                       addRoutersLabels: true
                       explicitBoundaries: [0.5, 1.0, 2.5]
                       pushInterval: 500ms
                       serviceName: edge
                       resourceAttributes:
                         deployment.environment: test
                       http:
                         endpoint: http://127.0.0.1:%d
                         headers:
                           Authorization: Bearer secret
                     """.formatted(receiver.httpPort())).start()) {
            traffic(gateway);
            Map<String, String> getOk = labels("code", "200", "entrypoint", "web", "method", "GET", "protocol", "http");
            eventually(() -> {
                assertEquals(3, receiver.sum("traefik_entrypoint_requests_total", getOk));
                assertEquals(1, receiver.sum("traefik_entrypoint_requests_total", labels("code", "200", "entrypoint",
                        "web", "method", "POST", "protocol", "http")));
                assertEquals(1, receiver.sum("traefik_entrypoint_requests_total", labels("code", "404", "entrypoint",
                        "web", "method", "GET", "protocol", "http")));
                assertEquals(3, receiver.sum("traefik_router_requests_total", labels("code", "200", "method", "GET",
                        "protocol", "http", "router", "app@file", "service", "app@file")));
                assertEquals(3, receiver.sum("traefik_service_requests_total", labels("code", "200", "method", "GET",
                        "protocol", "http", "service", "app@file")));
                assertEquals(5, receiver.sum("traefik_entrypoint_requests_bytes_total", labels("code", "200",
                        "entrypoint", "web", "method", "POST", "protocol", "http")));
                assertTrue(receiver.sum("traefik_service_responses_bytes_total", labels("code", "200", "method",
                        "POST", "protocol", "http", "service", "app@file")) > 0, "the echo's response body");
                assertTrue(receiver.sum("traefik_config_reloads_total", Map.of()) >= 1);
                assertEquals(3, receiver.histogram("traefik_entrypoint_request_duration_seconds", getOk).getCount());
            });

            Metric requests = receiver.latestMetric("traefik_entrypoint_requests_total");
            assertTrue(requests.getSum().getIsMonotonic(), "a counter");
            assertEquals(io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
                    requests.getSum().getAggregationTemporality());

            assertEquals("s", receiver.latestMetric("traefik_entrypoint_request_duration_seconds").getUnit());
            HistogramDataPoint point = receiver.histogram("traefik_entrypoint_request_duration_seconds", getOk);
            assertEquals(List.of(0.5, 1.0, 2.5), point.getExplicitBoundsList(), "explicitBoundaries");
            assertEquals(4, point.getBucketCountsCount());

            List<ResourceMetrics> exports = receiver.metrics();
            ResourceMetrics last = exports.get(exports.size() - 1);
            Map<String, String> resource = OtlpReceiver.attributes(last.getResource().getAttributesList());
            assertEquals("edge", resource.get("service.name"));
            assertEquals("test", resource.get("deployment.environment"));
            assertEquals("Bearer secret", receiver.lastHeaders().get("authorization"));
            assertEquals("github.com/traefik/traefik", last.getScopeMetrics(0).getScope().getName());
            assertTrue(receiver.latestMetric("traefik_entrypoint_requests_tls_total") == null, "no TLS request was made");
            Metric serverUp = receiver.latestMetric("traefik_service_server_up");
            assertNotNull(serverUp);
            assertEquals(Map.of("service", "app@file", "url", backend.url()), OtlpReceiver.attributes(
                    serverUp.getGauge().getDataPoints(0).getAttributesList()));
            assertEquals(1.0, serverUp.getGauge().getDataPoints(0).getAsDouble());
            Metric connections = receiver.latestMetric("traefik_open_connections");
            assertEquals(Map.of("entrypoint", "web", "protocol", "TCP"), OtlpReceiver.attributes(
                    connections.getGauge().getDataPoints(0).getAttributesList()));
            // Provider health reaches OTLP as it reaches a Prometheus scrape.
            Metric providerUp = receiver.latestMetric("traefik_provider_up");
            assertNotNull(providerUp, "traefik_provider_up");
            assertEquals(1.0, providerUp.getGauge().getDataPointsList().stream()
                    .filter(p -> OtlpReceiver.attributes(p.getAttributesList()).equals(Map.of("provider", "file")))
                    .findFirst().orElseThrow(() -> new AssertionError("no provider=file in " + providerUp)).getAsDouble());
            Metric lastUpdate = receiver.latestMetric("traefik_provider_last_update_success");
            assertNotNull(lastUpdate, "traefik_provider_last_update_success");
            double lastPublished = lastUpdate.getGauge().getDataPointsList().stream()
                    .filter(p -> OtlpReceiver.attributes(p.getAttributesList()).equals(Map.of("provider", "file")))
                    .findFirst().orElseThrow(() -> new AssertionError("no provider=file in " + lastUpdate)).getAsDouble();
            assertTrue(Math.abs(lastPublished - System.currentTimeMillis() / 1000.0) < 600,
                    "epoch seconds of the last snapshot: " + lastPublished);
        }
    }

    @Test
    void otlpOverGrpcExportsServiceMetricsOnly() throws Throwable {
        try (OtlpReceiver receiver = OtlpReceiver.start();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = gateway(dir, backend, """
                     otlp:
                       addEntryPointsLabels: false
                       pushInterval: 500ms
                       grpc:
                         endpoint: %s
                         insecure: true
                         headers:
                           x-scope-orgid: tenant-1
                     """.formatted(receiver.grpcAddress())).start()) {
            traffic(gateway);
            Map<String, String> getOk = labels("code", "200", "method", "GET", "protocol", "http", "service", "app@file");
            eventually(() -> assertEquals(3, receiver.sum("traefik_service_requests_total", getOk)));
            assertEquals("tenant-1", receiver.lastHeaders().get("x-scope-orgid"));
            assertTrue(receiver.latestMetric("traefik_entrypoint_requests_total") == null, "addEntryPointsLabels: false");
            assertTrue(receiver.latestMetric("traefik_router_requests_total") == null, "addRoutersLabels defaults to false");
            Metric duration = receiver.latestMetric("traefik_service_request_duration_seconds");
            assertEquals(List.of(.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0),
                    duration.getHistogram().getDataPoints(0).getExplicitBoundsList(), "Traefik's default boundaries");
        }
    }

    @Test
    void otlpOverHttpsTrustsTheCollectorByTheConfiguredCaOrNotAtAll() throws Throwable {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        SSLContext collectorTls = ca.leaf("collector", "ec", "localhost").serverContext();
        Map<String, String> getOk = labels("code", "200", "entrypoint", "web", "method", "GET", "protocol", "http");
        try (OtlpReceiver receiver = OtlpReceiver.startWithHttpTls(collectorTls);
             TestBackend backend = TestBackend.echo("one")) {
            // tls.ca: the collector is trusted.
            try (TestGateway gateway = gateway(dir, backend, """
                    otlp:
                      pushInterval: 500ms
                      http:
                        endpoint: https://localhost:%d
                        tls:
                          ca: %s
                    """.formatted(receiver.httpPort(), dir.resolve("certs/ca.pem"))).start()) {
                assertEquals(200, Http.status(gateway.url("/app/1")));
                eventually(() -> assertEquals(1, receiver.sum("traefik_entrypoint_requests_total", getOk)));
            }
        }
        try (OtlpReceiver receiver = OtlpReceiver.startWithHttpTls(collectorTls);
             TestBackend backend = TestBackend.echo("one");
             // Without tls.ca, the JVM's authorities do not know the test CA: nothing is exported, and the log says so.
             TestGateway gateway = gateway(dir.resolve("untrusted"), backend, """
                    otlp:
                      pushInterval: 500ms
                      http:
                        endpoint: https://localhost:%d
                    """.formatted(receiver.httpPort())).start()) {
            assertEquals(200, Http.status(gateway.url("/app/1")));
            eventually(() -> assertEquals(1, gateway.logLines("metrics.otlp: could not send metrics to https://localhost:"
                    + receiver.httpPort()).size(), gateway.logs()));
            assertTrue(receiver.metrics().isEmpty());
        }
        try (OtlpReceiver receiver = OtlpReceiver.startWithHttpTls(collectorTls);
             TestBackend backend = TestBackend.echo("one");
             // tls.insecureSkipVerify: any certificate is accepted.
             TestGateway gateway = gateway(dir.resolve("skip-verify"), backend, """
                    otlp:
                      pushInterval: 500ms
                      http:
                        endpoint: https://localhost:%d
                        tls:
                          insecureSkipVerify: true
                    """.formatted(receiver.httpPort())).start()) {
            assertEquals(200, Http.status(gateway.url("/app/1")));
            eventually(() -> assertEquals(1, receiver.sum("traefik_entrypoint_requests_total", getOk)));
        }
    }

    // ---- StatsD and DogStatsD ----

    /** Reads StatsD datagrams on 127.0.0.1 and keeps their lines. */
    static final class UdpLines implements AutoCloseable {
        private final DatagramSocket socket;
        private final List<String> lines = new ArrayList<>();
        private final Thread reader;

        UdpLines() throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            reader = new Thread(() -> {
                byte[] buffer = new byte[65535];
                while (!socket.isClosed()) {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    try {
                        socket.receive(packet);
                    } catch (java.io.IOException e) {
                        return;
                    }
                    String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                    synchronized (lines) {
                        text.lines().filter(line -> !line.isEmpty()).forEach(lines::add);
                    }
                }
            }, "statsd-receiver");
            reader.start();
        }

        String address() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            reader.join(5000);
        }
    }

    /** {@code name:value|type[|@rate][|#tags]}, the StatsD line and its DogStatsD extension. */
    private static final Pattern STATSD_LINE = Pattern.compile("^([a-zA-Z0-9_.]+):(-?[0-9]+\\.[0-9]{6})\\|(c|g|ms|h)(\\|#(.+))?$");

    /** Per {@code name|type|tags}, the values received, in order. */
    private static Map<String, List<Double>> parseStatsd(List<String> lines) {
        Map<String, List<Double>> values = new TreeMap<>();
        for (String line : lines) {
            Matcher m = STATSD_LINE.matcher(line);
            assertTrue(m.matches(), "not a StatsD line: " + line);
            String key = m.group(1) + "|" + m.group(3) + (m.group(5) == null ? "" : "|#" + m.group(5));
            values.computeIfAbsent(key, k -> new ArrayList<>()).add(Double.parseDouble(m.group(2)));
        }
        return values;
    }

    private static double sum(Map<String, List<Double>> values, String key) {
        return values.getOrDefault(key, List.of()).stream().mapToDouble(Double::doubleValue).sum();
    }

    @Test
    void statsdSendsTraefiksNamesWithLabelSetsAddedUpAndTimingsInMilliseconds() throws Throwable {
        try (UdpLines statsd = new UdpLines();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = gateway(dir, backend, """
                     statsD:
                       address: %s
                       pushInterval: 100ms
                       addRoutersLabels: true
                       prefix: edge
                     """.formatted(statsd.address())).start()) {
            traffic(gateway);
            eventually(() -> {
                Map<String, List<Double>> values = parseStatsd(statsd.lines());
                assertEquals(5, sum(values, "edge.entrypoint.request.total|c"));
                assertEquals(4, sum(values, "edge.router.request.total|c"), "the 404 matched no router");
                assertEquals(4, sum(values, "edge.service.request.total|c"));
                assertEquals(5, sum(values, "edge.entrypoint.requests.bytes.total|c"), "the POST's 5 bytes");
                assertTrue(sum(values, "edge.service.responses.bytes.total|c") > 0);
                assertTrue(sum(values, "edge.config.reload.total|c") >= 1);
                List<Double> timings = values.getOrDefault("edge.entrypoint.request.duration|ms", List.of());
                assertEquals(5, timings.size(), "one timing per request");
                assertTrue(timings.stream().allMatch(ms -> ms > 0 && ms < 10_000), "milliseconds: " + timings);
                assertEquals(4, values.getOrDefault("edge.service.request.duration|ms", List.of()).size());
            });
            Map<String, List<Double>> values = parseStatsd(statsd.lines());
            assertTrue(statsd.lines().stream().noneMatch(line -> line.contains("|#")), "plain StatsD has no tags");
            assertTrue(values.containsKey("edge.open.connections|g"), "open connections of all entry points, added up");
        }
    }

    @Test
    void datadogSendsOneSeriesPerLabelSetAsTagsAndDurationsAsHistogramsInSeconds() throws Throwable {
        try (UdpLines agent = new UdpLines();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = gateway(dir, backend, """
                     datadog:
                       address: %s
                       pushInterval: 100ms
                       addRoutersLabels: true
                       addServicesLabels: false
                     """.formatted(agent.address())).start()) {
            traffic(gateway);
            String getOk = "|#entrypoint:web,method:GET,protocol:http,code:200";
            eventually(() -> {
                Map<String, List<Double>> values = parseStatsd(agent.lines());
                assertEquals(3, sum(values, "traefik.entrypoint.request.total|c" + getOk));
                assertEquals(1, sum(values, "traefik.router.request.total|c|#router:app@file,service:app@file,"
                        + "method:POST,protocol:http,code:200"));
                assertEquals(1, sum(values, "traefik.entrypoint.request.total|c|#entrypoint:web,method:GET,protocol:http,code:404"));
                assertEquals(1, sum(values, "traefik.entrypoint.request.total|c|#entrypoint:web,method:POST,protocol:http,code:200"));
                assertEquals(5, sum(values, "traefik.entrypoint.requests.bytes.total|c|#entrypoint:web,method:POST,protocol:http,code:200"));
                assertEquals(3, sum(values, "traefik.router.request.total|c|#router:app@file,service:app@file,method:GET,protocol:http,code:200"));
                List<Double> durations = values.getOrDefault("traefik.entrypoint.request.duration|h" + getOk, List.of());
                assertEquals(3, durations.size(), "one histogram value per request");
                assertTrue(durations.stream().allMatch(s -> s > 0 && s < 10), "seconds: " + durations);
            });
            Map<String, List<Double>> values = parseStatsd(agent.lines());
            assertTrue(agent.lines().stream().noneMatch(line -> line.startsWith("traefik.service.request")),
                    "addServicesLabels: false");
            assertEquals(List.of(1.0), values.get("traefik.service.server.up|g|#service:app@file,url:" + backend.url())
                    .subList(0, 1), "the server's state, at each push");
            assertTrue(values.containsKey("traefik.open.connections|g|#entrypoint:web,protocol:TCP"), values.keySet().toString());
        }
    }

    @Test
    void datadogCountsTlsRequestsByVersionAndCipherAndReportsCertificateExpiry() throws Throwable {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf leaf = ca.leaf("a", "ec", "a.test", "b.test");
        X509Certificate certificate = (X509Certificate) TestCertificates.readCertificates(leaf.cert()).iterator().next();
        try (UdpLines agent = new UdpLines();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         secure:
                           rule: Host(`a.test`)
                           service: app
                           tls: {}
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     tls:
                       certificates:
                         - certFile: %s
                           keyFile: %s
                     """.formatted(backend.url(), leaf.cert(), leaf.key())).staticConfig("""
                     entryPoints:
                       websecure:
                         address: "127.0.0.1:0"
                     providers:
                       providersThrottleDuration: 50ms
                       file:
                         directory: dynamic
                     metrics:
                       datadog:
                         address: %s
                         pushInterval: 100ms
                         addRoutersLabels: true
                     """.formatted(agent.address())).start()) {
            int port = gateway.port("websecure");
            String request = "GET /t HTTP/1.1\r\nHost: a.test";
            TestCertificates.Handshake tls13 = TestCertificates.handshake(ca.clientContext(null), port, "a.test",
                    new String[] {"TLSv1.3"}, null, request);
            TestCertificates.Handshake tls12 = TestCertificates.handshake(ca.clientContext(null), port, "a.test",
                    new String[] {"TLSv1.2"}, null, request);
            assertTrue(tls13.response().startsWith("HTTP/1.1 200"), tls13.response());
            assertTrue(tls12.response().startsWith("HTTP/1.1 200"), tls12.response());
            String certificateTags = "|#cn:a.test,serial:" + certificate.getSerialNumber() + ",sans:a.test_b.test";
            eventually(() -> {
                Map<String, List<Double>> values = parseStatsd(agent.lines());
                assertEquals(1, sum(values, "traefik.entrypoint.request.tls.total|c|#entrypoint:websecure,"
                        + "tls_version:1.3,tls_cipher:" + tls13.cipherSuite()), values.keySet().toString());
                assertEquals(1, sum(values, "traefik.entrypoint.request.tls.total|c|#entrypoint:websecure,"
                        + "tls_version:1.2,tls_cipher:" + tls12.cipherSuite()));
                assertEquals(1, sum(values, "traefik.router.request.tls.total|c|#router:secure@file,service:app@file,"
                        + "tls_version:1.3,tls_cipher:" + tls13.cipherSuite()));
                assertEquals(1, sum(values, "traefik.service.request.tls.total|c|#service:app@file,"
                        + "tls_version:1.2,tls_cipher:" + tls12.cipherSuite()));
                List<Double> notAfter = values.get("traefik.tls.certs.notAfterTimestamp|g" + certificateTags);
                assertNotNull(notAfter, "the served certificate's expiry (',' in a tag value is sent as '_'): "
                        + values.keySet());
                assertEquals(certificate.getNotAfter().getTime() / 1000, notAfter.get(0).longValue());
                List<Double> providerUp = values.get("traefik.provider.up|g|#provider:file");
                assertNotNull(providerUp, "provider health, tagged: " + values.keySet());
                assertEquals(1.0, providerUp.get(providerUp.size() - 1));
                assertNotNull(values.get("traefik.provider.lastUpdateSuccessTimestamp|g|#provider:file"), values.keySet().toString());
            });
        }
    }

    // ---- InfluxDB 2 ----

    /** {@code measurement,tag=value,... field=value,... timestamp} (no escaped characters in this test's values). */
    private static final Pattern INFLUX_LINE = Pattern.compile("^([^, ]+)((?:,[^,= ]+=[^, ]+)*) ([^ ]+) ([0-9]+)$");

    @Test
    void influxDb2WritesLineProtocolWithTraefiksMeasurementsTagsAndFields() throws Throwable {
        List<String> lines = new ArrayList<>();
        List<String> requests = new ArrayList<>();
        HttpServer influx = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        influx.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                synchronized (lines) {
                    requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                            + exchange.getRequestHeaders().getFirst("Authorization"));
                    body.lines().forEach(lines::add);
                }
                exchange.sendResponseHeaders(204, -1);
            }
        });
        influx.start();
        Path tokenFile = dir.resolve("influx-token");
        Files.writeString(tokenFile, "s3cr3t-token\n");
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = gateway(dir, backend, """
                     influxDB2:
                       address: http://127.0.0.1:%d
                       token: influx-token
                       org: my-org
                       bucket: my-bucket
                       pushInterval: 100ms
                       additionalLabels:
                         environment: test
                     """.formatted(influx.getAddress().getPort())).start()) {
            traffic(gateway);
            Supplier<Map<String, Map<String, Double>>> points = () -> {
                synchronized (lines) {
                    return parseInflux(lines);
                }
            };
            eventually(() -> {
                Map<String, Map<String, Double>> seen = points.get();
                assertEquals(3, field(seen, "traefik.entrypoint.requests.total,code=200,entrypoint=web,environment=test,"
                        + "method=GET,protocol=http", "count"));
                assertEquals(1, field(seen, "traefik.entrypoint.requests.total,code=404,entrypoint=web,environment=test,"
                        + "method=GET,protocol=http", "count"));
                assertEquals(5, field(seen, "traefik.entrypoint.requests.bytes.total,code=200,entrypoint=web,"
                        + "environment=test,method=POST,protocol=http", "count"));
                assertEquals(3, field(seen, "traefik.service.requests.total,code=200,environment=test,method=GET,"
                        + "protocol=http,service=app@file", "count"));
                assertEquals(1, field(seen, "traefik.service.requests.total,code=200,environment=test,method=POST,"
                        + "protocol=http,service=app@file", "count"));
            });
            Map<String, Map<String, Double>> seen = points.get();
            Map<String, Double> duration = seen.get("traefik.entrypoint.request.duration,code=200,entrypoint=web,"
                    + "environment=test,method=GET,protocol=http");
            assertNotNull(duration, seen.keySet().toString());
            assertEquals(List.of("p50", "p90", "p95", "p99"), List.copyOf(new TreeMap<>(duration).keySet()));
            assertTrue(duration.get("p99") > 0 && duration.get("p99") < 10, "seconds: " + duration);
            assertTrue(seen.containsKey("traefik.config.reload.total,environment=test"), seen.keySet().toString());
            field(seen, "traefik.open.connections,entrypoint=web,environment=test,protocol=TCP", "value");
            assertTrue(field(seen, "traefik.service.server.up,environment=test,service=app@file,url=" + backend.url(),
                    "value") >= 1);
            assertFalse(seen.keySet().stream().anyMatch(key -> key.startsWith("traefik.router.")),
                    "addRoutersLabels defaults to false");
            synchronized (lines) {
                List<String> providerUp = lines.stream()
                        .filter(line -> line.startsWith("traefik.provider.up,environment=test,provider=file ")).toList();
                assertFalse(providerUp.isEmpty(), "provider health: " + seen.keySet());
                assertTrue(providerUp.get(providerUp.size() - 1).contains(" value=1 "), providerUp.toString());
            }
            assertTrue(field(seen, "traefik.provider.lastUpdateSuccessTimestamp,environment=test,provider=file", "value")
                    > 1_600_000_000, "epoch seconds");
            synchronized (lines) {
                assertEquals("POST /api/v2/write?org=my-org&bucket=my-bucket&precision=ns Token s3cr3t-token",
                        requests.get(0), "the token read from its file, next to the configuration file");
            }
        } finally {
            influx.stop(0);
        }
    }

    private static double field(Map<String, Map<String, Double>> points, String measurementAndTags, String field) {
        Map<String, Double> fields = points.get(measurementAndTags);
        assertNotNull(fields, "no point " + measurementAndTags + " among " + points);
        assertTrue(fields.containsKey(field), "no field " + field + " in " + measurementAndTags + ": " + fields);
        return fields.get(field);
    }

    /** Per {@code measurement,tags} (as sent: tags sorted), each field's values added up over all writes. */
    private static Map<String, Map<String, Double>> parseInflux(List<String> lines) {
        Map<String, Map<String, Double>> points = new TreeMap<>();
        for (String line : lines) {
            Matcher m = INFLUX_LINE.matcher(line);
            assertTrue(m.matches(), "not a line of InfluxDB line protocol: " + line);
            List<String> tags = List.of(m.group(2).isEmpty() ? new String[0] : m.group(2).substring(1).split(","));
            assertEquals(tags.stream().sorted().toList(), tags, "tags sorted by key: " + line);
            Map<String, Double> fields = points.computeIfAbsent(m.group(1) + m.group(2), k -> new TreeMap<>());
            for (String field : m.group(3).split(",")) {
                String[] nameValue = field.split("=", 2);
                fields.merge(nameValue[0], Double.parseDouble(nameValue[1]), Double::sum);
            }
        }
        return points;
    }

    // ---- failures ----

    @Test
    void backendsThatAreDownAreLoggedOnceAMinuteAndRequestsAreStillServed() throws Throwable {
        int influxPort = Gateways.freePort();
        int otlpPort = Gateways.freePort();
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = gateway(dir, backend, """
                     influxDB2:
                       address: http://127.0.0.1:%d
                       token: t
                       org: o
                       bucket: b
                       pushInterval: 50ms
                     otlp:
                       pushInterval: 500ms
                       http:
                         endpoint: http://127.0.0.1:%d
                     """.formatted(influxPort, otlpPort)).start()) {
            traffic(gateway);
            String influxWarning = "metrics.influxDB2: could not send metrics to http://127.0.0.1:" + influxPort;
            String otlpWarning = "metrics.otlp: could not send metrics to http://127.0.0.1:" + otlpPort + "/v1/metrics";
            eventually(() -> assertTrue(!gateway.logLines(influxWarning).isEmpty()
                    && !gateway.logLines(otlpWarning).isEmpty(), gateway.logs()));
            traffic(gateway);   // pushes fail on their own threads: requests are served as before
            assertEquals(1, gateway.logLines(influxWarning).size(), "at most once a minute: " + gateway.logs());
            assertTrue(gateway.logLines("metrics.influxDB2", "works again").isEmpty(), gateway.logs());
            assertTrue(gateway.logLines(influxWarning).get(0).contains("WARN"), gateway.logLines(influxWarning).get(0));
            assertFalse(gateway.logs().contains("\tat "), "no stack trace at the default level: " + gateway.logs());
            assertFalse(gateway.logs().contains("io.opentelemetry") || gateway.logs().contains("Exception"),
                    "no class names: " + gateway.logs());
        }
    }
}
