package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testkit.TestGateway;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metrics.prometheus}: after known traffic, a scrape of {@code /metrics} holds Traefik's metric names
 * with exact counts per entry point, router and service; TLS requests by version and cipher, certificate
 * expiry, server health and plugin load failures, as read by the Prometheus project's own parser.
 */
class MetricsTest {

    @TempDir
    Path dir;

    /** Sample lines of the Prometheus text format: {@code name{label="value",...} number}. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? ([-+0-9.eE]+|NaN)$");

    private static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a Prometheus sample line: " + line);
            samples.put(m.group(1) + (m.group(2) == null ? "" : sortedLabels(m.group(3))), Double.parseDouble(m.group(4)));
        }
        return samples;
    }

    private static String sortedLabels(String labels) {
        return "{" + String.join(",", new java.util.TreeSet<>(java.util.Arrays.asList(labels.split(",(?=[a-z_]+=\")")))) + "}";
    }

    @Test
    void countsRequestsByEntryPointRouterAndServiceWithTraefiksNames() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, Gateways.appRoute(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     metrics:
                       prometheus:
                         entryPoint: web
                         addRoutersLabels: true
                     """).start()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, Http.status(gateway.url("/app/" + i)));
            }
            assertEquals(404, Http.status(gateway.url("/none")));
            assertEquals(404, Http.status(gateway.url("/none2")));
            HttpResponse<String> post = Http.client().send(HttpRequest.newBuilder(URI.create(gateway.url("/app/post")))
                    .POST(HttpRequest.BodyPublishers.ofString("12345")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, post.statusCode());

            HttpResponse<String> scrape = Http.get(gateway.url("/metrics"));
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            Map<String, Double> samples = parse(scrape.body());

            assertEquals(3.0, samples.get("traefik_entrypoint_requests_total{code=\"200\",entrypoint=\"web\",method=\"GET\",protocol=\"http\"}"),
                    scrape.body());
            assertEquals(2.0, samples.get("traefik_entrypoint_requests_total{code=\"404\",entrypoint=\"web\",method=\"GET\",protocol=\"http\"}"));
            assertEquals(1.0, samples.get("traefik_entrypoint_requests_total{code=\"200\",entrypoint=\"web\",method=\"POST\",protocol=\"http\"}"));
            assertEquals(5.0, samples.get("traefik_entrypoint_requests_bytes_total{code=\"200\",entrypoint=\"web\",method=\"POST\",protocol=\"http\"}"));
            assertEquals(3.0, samples.get("traefik_service_requests_total{code=\"200\",method=\"GET\",protocol=\"http\",service=\"app@file\"}"));
            assertEquals(3.0, samples.get("traefik_router_requests_total{code=\"200\",method=\"GET\",protocol=\"http\",router=\"app@file\",service=\"app@file\"}"));
            assertEquals(3.0, samples.get("traefik_entrypoint_request_duration_seconds_count{code=\"200\",entrypoint=\"web\",method=\"GET\",protocol=\"http\"}"));
            assertTrue(samples.containsKey("traefik_entrypoint_request_duration_seconds_bucket{code=\"200\",entrypoint=\"web\",le=\"0.3\",method=\"GET\",protocol=\"http\"}"),
                    "Traefik's default buckets");
            assertTrue(samples.get("traefik_config_reloads_total") >= 1.0);
            assertTrue(samples.get("traefik_config_last_reload_success") > 1.7e9, "a Unix timestamp");
            assertTrue(samples.get("traefik_open_connections{entrypoint=\"web\",protocol=\"TCP\"}") >= 1.0,
                    "the scrape's own connection is open");
        }
    }
    @Test
    void headerLabelsAddTheRequestHeadersToTheRequestCountersAsInTraefik() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, Gateways.appRoute(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                     providers:
                       file:
                         directory: dynamic
                     metrics:
                       prometheus:
                         entryPoint: web
                         addRoutersLabels: true
                         headerLabels:
                           useragent: User-Agent
                           tenant: x-tenant
                     """).start()) {
            assertEquals(200, Http.get(gateway.url("/app/1"), "User-Agent", "foobar", "X-Tenant", "acme").statusCode());
            assertEquals(200, Http.get(gateway.url("/app/2"), "User-Agent", "foobar", "X-Tenant", "acme").statusCode());
            assertEquals(200, Http.get(gateway.url("/app/3"), "User-Agent", "foobar").statusCode());
            assertEquals(404, Http.get(gateway.url("/none"), "User-Agent", "other", "X-Tenant", "acme").statusCode());
            String longest = "t".repeat(128);
            assertEquals(200, Http.get(gateway.url("/app/4"), "User-Agent", "foobar", "X-Tenant", longest).statusCode());
            assertEquals(200, Http.get(gateway.url("/app/5"), "User-Agent", "foobar", "X-Tenant", longest + "t")
                    .statusCode());

            String scrape = Http.get(gateway.url("/metrics"), "User-Agent", "scraper").body();
            Map<String, Double> samples = parse(scrape);
            assertEquals(2.0, samples.get("traefik_entrypoint_requests_total{code=\"200\",entrypoint=\"web\","
                    + "method=\"GET\",protocol=\"http\",tenant=\"acme\",useragent=\"foobar\"}"), scrape);
            assertEquals(1.0, samples.get("traefik_entrypoint_requests_total{code=\"200\",entrypoint=\"web\","
                    + "method=\"GET\",protocol=\"http\",tenant=\"\",useragent=\"foobar\"}"), "a missing header is an empty value");
            assertEquals(1.0, samples.get("traefik_entrypoint_requests_total{code=\"404\",entrypoint=\"web\","
                    + "method=\"GET\",protocol=\"http\",tenant=\"acme\",useragent=\"other\"}"));
            assertEquals(2.0, samples.get("traefik_router_requests_total{code=\"200\",method=\"GET\",protocol=\"http\","
                    + "router=\"app@file\",service=\"app@file\",tenant=\"acme\",useragent=\"foobar\"}"));
            assertEquals(2.0, samples.get("traefik_service_requests_total{code=\"200\",method=\"GET\",protocol=\"http\","
                    + "service=\"app@file\",tenant=\"acme\",useragent=\"foobar\"}"));
            // A value over 128 characters counts as 'other': clients cannot keep long values in memory (and in
            // every scrape) by sending a new one with each request.
            assertEquals(1.0, samples.get("traefik_entrypoint_requests_total{code=\"200\",entrypoint=\"web\","
                    + "method=\"GET\",protocol=\"http\",tenant=\"" + longest + "\",useragent=\"foobar\"}"), scrape);
            assertEquals(1.0, samples.get("traefik_entrypoint_requests_total{code=\"200\",entrypoint=\"web\","
                    + "method=\"GET\",protocol=\"http\",tenant=\"other\",useragent=\"foobar\"}"), scrape);
            // Only the request counters get them, as in Traefik: the other request metrics keep their labels.
            assertEquals(5.0, samples.get("traefik_entrypoint_request_duration_seconds_count{code=\"200\","
                    + "entrypoint=\"web\",method=\"GET\",protocol=\"http\"}"), scrape);
        }
    }

    /**
     * The Prometheus project's Python client parses the text format (Debian's python3-prometheus-client, which
     * ./test.sh installs): samples come back as JSON, keyed like {@link #parse}. Under ./test.sh
     * (IT_PROMETHEUS_PARSER=required) a missing parser fails the test; elsewhere the test is skipped saying why.
     */
    private static Map<String, Double> parseWithPrometheusClient(String text) throws Exception {
        String script = """
                import json, sys
                from prometheus_client.parser import text_string_to_metric_families
                out = []
                for family in text_string_to_metric_families(sys.stdin.read()):
                    for sample in family.samples:
                        out.append({"name": sample.name, "labels": sample.labels, "value": sample.value})
                json.dump(out, sys.stdout)
                """;
        boolean required = "required".equals(System.getenv("IT_PROMETHEUS_PARSER"));
        // Debian's interpreter, which python3-prometheus-client installs into (a python3 earlier in PATH, such as
        // pyenv's, does not see it).
        String python3 = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process probe;
        try {
            probe = new ProcessBuilder(python3, "-c", "import prometheus_client").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            probe = null;
        }
        boolean available = probe != null && probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
        if (required) {
            assertTrue(available, "python3 with prometheus_client (Debian: python3-prometheus-client) is required");
        }
        assumeTrue(available, "python3 with prometheus_client (python3-prometheus-client) is not installed");
        Process python = new ProcessBuilder(python3, "-c", script).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = python.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String json = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(python.waitFor(60, TimeUnit.SECONDS) && python.exitValue() == 0,
                "prometheus_client could not parse the scrape:\n" + text);
        Map<String, Double> samples = new HashMap<>();
        for (JsonNode sample : new ObjectMapper().readTree(json)) {
            Map<String, String> labels = new TreeMap<>();
            sample.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            StringBuilder key = new StringBuilder(sample.path("name").asText());
            if (!labels.isEmpty()) {
                key.append('{');
                labels.forEach((name, value) -> key.append(key.charAt(key.length() - 1) == '{' ? "" : ",")
                        .append(name).append("=\"").append(value).append('"'));
                key.append('}');
            }
            samples.put(key.toString(), sample.path("value").asDouble());
        }
        return samples;
    }

    @Test
    void countsTlsRequestsCertificatesServerHealthAndPluginFailuresUnderAConfiguredPrefix() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("certs"));
        TestCertificates.Leaf leaf = ca.leaf("a", "ec", "a.test", "b.test");
        int deadPort = Gateways.freePort();
        try (TestBackend backend = TestBackend.echo("one")) {
            String dynamic = """
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
                              - url: %1$s
                        mixed:
                          loadBalancer:
                            healthCheck:
                              path: /
                              interval: 1s
                              timeout: 1s
                            servers:
                              - url: %1$s
                              - url: http://127.0.0.1:%2$d
                    tls:
                      certificates:
                        - certFile: %3$s
                          keyFile: %4$s
                    """.formatted(backend.url(), deadPort, leaf.cert(), leaf.key());
            TestGateway harness = Gateways.withDynamic(dir.resolve("gw"), dynamic).staticConfig("""
                    entryPoints:
                      web:
                        address: "127.0.0.1:0"
                    providers:
                      providersThrottleDuration: 200ms
                      file:
                        directory: dynamic
                    metrics:
                      prometheus:
                        entryPoint: web
                        addRoutersLabels: true
                        prefix: gatehouse
                    """);
            byte[] garbage = new byte[4096];
            new Random(7).nextBytes(garbage);
            Files.write(harness.pluginsDir().resolve("corrupt.jar"), garbage);
            try (TestGateway gateway = harness.start()) {
                int port = gateway.port("web");
                String request = "GET /t HTTP/1.1\r\nHost: a.test";
                String[] tls13 = {"TLSv1.3"};
                String[] tls12 = {"TLSv1.2"};
                TestCertificates.Handshake first = TestCertificates.handshake(ca.clientContext(null), port, "a.test",
                        tls13, null, request);
                TestCertificates.handshake(ca.clientContext(null), port, "a.test", tls13, null, request);
                TestCertificates.Handshake old = TestCertificates.handshake(ca.clientContext(null), port, "a.test",
                        tls12, null, request);
                assertTrue(first.response().startsWith("HTTP/1.1 200"), first.response());
                assertTrue(old.response().startsWith("HTTP/1.1 200"), old.response());
                String c13 = first.cipherSuite();
                String c12 = old.cipherSuite();

                String up = "gatehouse_service_server_up{service=\"mixed@file\",url=\"" + backend.url() + "\"}";
                String down = "gatehouse_service_server_up{service=\"mixed@file\",url=\"http://127.0.0.1:" + deadPort + "\"}";
                Map<String, Double> samples = Map.of();
                String text = "";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                String lastServiceCount = "gatehouse_service_requests_tls_total{service=\"app@file\",tls_cipher=\""
                        + c12 + "\",tls_version=\"1.2\"}";
                // The first health check runs at once; wait (bounded) until it has marked the dead server down. A
                // request is counted when its exchange completes, which can come just after the client has read its
                // response: wait for the last request's service count too.
                while (System.nanoTime() < deadline) {
                    text = Http.get(gateway.url("/metrics")).body();
                    samples = parseWithPrometheusClient(text);
                    if (Double.valueOf(0.0).equals(samples.get(down)) && Double.valueOf(1.0).equals(samples.get(lastServiceCount))) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertEquals(0.0, samples.get(down), text);
                assertEquals(1.0, samples.get(up), text);
                assertEquals(1.0, samples.get("gatehouse_service_server_up{service=\"app@file\",url=\"" + backend.url() + "\"}"));

                assertEquals(2.0, samples.get("gatehouse_entrypoint_requests_tls_total{entrypoint=\"web\",tls_cipher=\""
                        + c13 + "\",tls_version=\"1.3\"}"), text);
                assertEquals(1.0, samples.get("gatehouse_entrypoint_requests_tls_total{entrypoint=\"web\",tls_cipher=\""
                        + c12 + "\",tls_version=\"1.2\"}"), text);
                assertEquals(2.0, samples.get("gatehouse_router_requests_tls_total{router=\"secure@file\",service=\"app@file\","
                        + "tls_cipher=\"" + c13 + "\",tls_version=\"1.3\"}"), text);
                assertEquals(1.0, samples.get("gatehouse_service_requests_tls_total{service=\"app@file\",tls_cipher=\""
                        + c12 + "\",tls_version=\"1.2\"}"), text);
                assertEquals(3.0, samples.get("gatehouse_service_requests_total{code=\"200\",method=\"GET\",protocol=\"http\",service=\"app@file\"}"),
                        "TLS requests are counted with the others too");

                X509Certificate certificate = first.peer();
                assertEquals((double) (certificate.getNotAfter().getTime() / 1000),
                        samples.get("gatehouse_tls_certs_not_after{cn=\"a.test\",sans=\"a.test,b.test\",serial=\""
                                + certificate.getSerialNumber() + "\"}"), text);
                assertEquals(1, samples.keySet().stream().filter(k -> k.startsWith("gatehouse_tls_certs_not_after")).count(),
                        "only the configured certificate: not the generated default");

                assertEquals(1.0, samples.get("gatehouse_plugin_load_failures_total{plugin=\"corrupt.jar\"}"), text);
                assertTrue(samples.keySet().stream().noneMatch(k -> k.startsWith("traefik_")), "the prefix applies to all");
            }
        }
    }
}
