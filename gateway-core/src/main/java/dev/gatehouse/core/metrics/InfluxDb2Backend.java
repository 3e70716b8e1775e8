package dev.gatehouse.core.metrics;

import dev.gatehouse.core.dynamic.ProviderHealth;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code metrics.influxDB2}: Traefik's metrics written to InfluxDB 2 in line protocol, {@code POST
 * <address>/api/v2/write?org=..&bucket=..&precision=ns} with {@code Authorization: Token <token>}, with the
 * measurement names, tags and fields of Traefik's InfluxDB 2 registry:
 * {@code traefik.entrypoint.requests.total,code=200,entrypoint=web,method=GET,protocol=http count=3 <ns>};
 * counters carry the interval's delta in {@code count}, gauges their value in {@code value}, the duration
 * histograms {@code p50}, {@code p90}, {@code p95} and {@code p99} of the interval's durations in seconds.
 * {@code additionalLabels} are added to every point's tags.
 */
final class InfluxDb2Backend extends IntervalPushBackend {

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private final URI writeUri;
    private final String authorization;
    private final Map<String, String> additionalLabels;
    private final HttpClient client;

    InfluxDb2Backend(String address, String token, String org, String bucket, Duration interval,
            Map<String, String> additionalLabels, RequestMetricsFeed.Switches switches) {
        super("metrics.influxDB2", address, interval, switches);
        this.writeUri = URI.create(address + "/api/v2/write?org=" + URLEncoder.encode(org, StandardCharsets.UTF_8)
                + "&bucket=" + URLEncoder.encode(bucket, StandardCharsets.UTF_8) + "&precision=ns");
        this.authorization = "Token " + token;
        this.additionalLabels = additionalLabels;
        this.client = HttpClient.newBuilder().connectTimeout(WRITE_TIMEOUT).build();
    }

    @Override
    boolean push() throws IOException, InterruptedException {
        String timestamp = Long.toString(System.currentTimeMillis() * 1_000_000L);
        StringBuilder body = new StringBuilder();
        metrics.drain(new IntervalRequestMetrics.Visitor() {
            @Override
            public void requests(IntervalRequestMetrics.Series series, long requests, long requestBytes,
                    long responseBytes, long[] durationsNanos, int durationCount) {
                Map<String, String> tags = requestTags(series);
                String word = "traefik." + series.kind.word;
                point(body, word + ".requests.total", tags, "count=" + requests, timestamp);
                point(body, word + ".requests.bytes.total", tags, "count=" + requestBytes, timestamp);
                point(body, word + ".responses.bytes.total", tags, "count=" + responseBytes, timestamp);
                if (durationCount > 0) {
                    long[] sorted = Arrays.copyOf(durationsNanos, durationCount);
                    Arrays.sort(sorted);
                    point(body, word + ".request.duration", tags, "p50=" + quantile(sorted, 0.50)
                            + ",p90=" + quantile(sorted, 0.90) + ",p95=" + quantile(sorted, 0.95)
                            + ",p99=" + quantile(sorted, 0.99), timestamp);
                }
            }

            @Override
            public void tls(IntervalRequestMetrics.Tls series, long requests) {
                Map<String, String> tags = new TreeMap<>(additionalLabels);
                tags.put(series.kind.word, series.name);
                if (series.service != null) {
                    tags.put("service", series.service);
                }
                tags.put("tls_version", series.version);
                tags.put("tls_cipher", series.cipher);
                point(body, "traefik." + series.kind.word + ".requests.tls.total", tags, "count=" + requests, timestamp);
            }

            @Override
            public void configReloads(long reloads) {
                point(body, "traefik.config.reload.total", additionalLabels, "count=" + reloads, timestamp);
            }

            @Override
            public void lastReloadSuccess(long epochSeconds) {
                point(body, "traefik.config.reload.lastSuccessTimestamp", additionalLabels, "value=" + epochSeconds,
                        timestamp);
            }
        });
        // The extensions' counters: traefik.<name with dots>.total, the labels as tags, the interval's rise in count.
        extensionCounterDeltas((counter, series, delta) -> {
            Map<String, String> tags = new TreeMap<>(additionalLabels);
            for (int i = 0; i < counter.labelNames().size(); i++) {
                tags.put(counter.labelNames().get(i), series.labelValues().get(i));
            }
            point(body, "traefik." + counter.name().replace('_', '.') + ".total", tags, "count=" + delta, timestamp);
        });
        gaugePoints(body, timestamp);
        if (body.isEmpty()) {
            return false;
        }
        HttpRequest request = HttpRequest.newBuilder(writeUri).timeout(WRITE_TIMEOUT)
                .header("Authorization", authorization)
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            String detail = response.body() == null ? "" : response.body().strip();
            throw new IOException("HTTP " + response.statusCode() + (detail.isEmpty() ? ""
                    : ": " + (detail.length() > 200 ? detail.substring(0, 200) + "..." : detail)));
        }
        return true;
    }

    /** The gateway's state at this push: open connections, servers up, certificate expiry, providers ({@code value}). */
    private void gaugePoints(StringBuilder body, String timestamp) {
        GatewayGauges state = gauges;
        state.openConnectionsByProtocol().forEach(row -> {
            Map<String, String> tags = new TreeMap<>(additionalLabels);
            tags.put("entrypoint", row.entryPoint());
            tags.put("protocol", row.protocol());
            point(body, "traefik.open.connections", tags, "value=" + row.open(), timestamp);
        });
        state.servers().get().forEach((service, urls) -> urls.forEach((url, up) -> {
            Map<String, String> tags = new TreeMap<>(additionalLabels);
            tags.put("service", service);
            tags.put("url", url);
            point(body, "traefik.service.server.up", tags, "value=" + (up ? 1 : 0), timestamp);
        }));
        for (GatewayGauges.Certificate certificate : state.distinctCertificates()) {
            Map<String, String> tags = new TreeMap<>(additionalLabels);
            tags.put("cn", certificate.commonName());
            tags.put("serial", certificate.serial());
            tags.put("sans", certificate.sans());
            point(body, "traefik.tls.certs.notAfterTimestamp", tags, "value=" + certificate.notAfterEpochSeconds(),
                    timestamp);
        }
        for (ProviderHealth.Status provider : state.providers().get()) {
            Map<String, String> tags = new TreeMap<>(additionalLabels);
            tags.put("provider", provider.provider());
            point(body, "traefik.provider.up", tags, "value=" + (provider.up() ? 1 : 0), timestamp);
            if (provider.lastPublished() != null) {
                point(body, "traefik.provider.lastUpdateSuccessTimestamp", tags,
                        "value=" + provider.lastPublished().getEpochSecond(), timestamp);
            }
        }
    }

    private Map<String, String> requestTags(IntervalRequestMetrics.Series series) {
        Map<String, String> tags = new TreeMap<>(additionalLabels);
        tags.put(series.kind.word, series.name);
        if (series.service != null) {
            tags.put("service", series.service);
        }
        tags.put("method", series.method);
        tags.put("protocol", "http");
        tags.put("code", series.code);
        return tags;
    }

    /** The nearest-rank quantile of sorted durations, in seconds. */
    static String quantile(long[] sortedNanos, double q) {
        int rank = (int) Math.ceil(q * sortedNanos.length);
        // plain decimal notation: 0.000123 rather than Java's 1.23E-4
        return BigDecimal.valueOf(sortedNanos[Math.max(0, rank - 1)]).movePointLeft(9).stripTrailingZeros()
                .toPlainString();
    }

    /** One line: {@code measurement,tag=value,... fields timestamp}, tags sorted by key, escaped as InfluxDB needs. */
    private static void point(StringBuilder body, String measurement, Map<String, String> tags, String fields,
            String timestamp) {
        body.append(escape(measurement, false));
        new TreeMap<>(tags).forEach((key, value) -> {
            if (!value.isEmpty()) {   // InfluxDB refuses empty tag values
                body.append(',').append(escape(key, true)).append('=').append(escape(value, true));
            }
        });
        body.append(' ').append(fields).append(' ').append(timestamp).append('\n');
    }

    /** Line protocol escaping: commas and spaces everywhere, {@code =} in tag keys and values. */
    private static String escape(String text, boolean tag) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' || c == ' ' || (tag && c == '=') || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c == '\n' ? ' ' : c);
        }
        return escaped.toString();
    }
}
