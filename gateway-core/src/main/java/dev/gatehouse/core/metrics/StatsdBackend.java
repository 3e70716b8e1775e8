package dev.gatehouse.core.metrics;

import dev.gatehouse.core.dynamic.ProviderHealth;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code metrics.statsD} and {@code metrics.datadog}: Traefik's metrics in the StatsD line format over UDP, with
 * the names of Traefik's StatsD and Datadog registries ({@code traefik.entrypoint.request.total},
 * {@code traefik.service.request.duration}, ...).
 *
 * <ul>
 *   <li>StatsD has no labels: each metric's label sets are added up into one line (counters), and durations are
 *       sent one timing each, in milliseconds ({@code |ms}), as Traefik's go-kit StatsD client does;</li>
 *   <li>DogStatsD sends one line per label set with the labels as tags ({@code |#entrypoint:web,method:GET,...})
 *       and durations as histogram values in seconds ({@code |h}), as Traefik's Datadog client does.</li>
 * </ul>
 * Counters are the deltas of the interval. Lines are packed into datagrams of at most {@value #MAX_DATAGRAM}
 * bytes (newline-separated, which both accept). The socket is connected, so a server that is down shows up as an
 * ICMP "port unreachable" on a later send and is logged.
 */
final class StatsdBackend extends IntervalPushBackend {

    /** Fits an Ethernet MTU with IPv6 and UDP headers. */
    static final int MAX_DATAGRAM = 1432;

    private final boolean dogStatsd;
    private final String prefix;
    private final String host;
    private final int port;
    private final ByteBuffer datagram = ByteBuffer.allocate(MAX_DATAGRAM);
    private DatagramChannel channel;

    /**
     * @param key {@code metrics.statsD} or {@code metrics.datadog}
     * @param dogStatsd tags and histograms (Datadog) rather than plain StatsD
     * @param address {@code host:port}
     */
    StatsdBackend(String key, boolean dogStatsd, String address, Duration interval, String prefix,
            RequestMetricsFeed.Switches switches) {
        super(key, address, interval, switches);
        this.dogStatsd = dogStatsd;
        this.prefix = prefix + ".";
        int colon = address.lastIndexOf(':');
        this.host = address.substring(0, colon).replace("[", "").replace("]", "");
        this.port = Integer.parseInt(address.substring(colon + 1));
    }

    @Override
    boolean push() throws IOException {
        StringBuilder lines = new StringBuilder();
        // Plain StatsD: one line per metric, label sets added up.
        Map<String, Long> statsdCounters = new LinkedHashMap<>();
        metrics.drain(new IntervalRequestMetrics.Visitor() {
            @Override
            public void requests(IntervalRequestMetrics.Series series, long requests, long requestBytes,
                    long responseBytes, long[] durationsNanos, int durationCount) {
                String word = series.kind.word;
                if (dogStatsd) {
                    String tags = requestTags(series);
                    counter(lines, word + ".request.total", requests, tags);
                    counter(lines, word + ".requests.bytes.total", requestBytes, tags);
                    counter(lines, word + ".responses.bytes.total", responseBytes, tags);
                    for (int i = 0; i < durationCount; i++) {
                        line(lines, word + ".request.duration", durationsNanos[i] / 1e9, "h", tags);
                    }
                } else {
                    statsdCounters.merge(word + ".request.total", requests, Long::sum);
                    statsdCounters.merge(word + ".requests.bytes.total", requestBytes, Long::sum);
                    statsdCounters.merge(word + ".responses.bytes.total", responseBytes, Long::sum);
                    for (int i = 0; i < durationCount; i++) {
                        line(lines, word + ".request.duration", durationsNanos[i] / 1e6, "ms", null);
                    }
                }
            }

            @Override
            public void tls(IntervalRequestMetrics.Tls series, long requests) {
                String name = series.kind.word + ".request.tls.total";
                if (dogStatsd) {
                    StringBuilder tags = new StringBuilder();
                    tag(tags, series.kind.word, series.name);
                    if (series.service != null) {
                        tag(tags, "service", series.service);
                    }
                    tag(tags, "tls_version", series.version);
                    tag(tags, "tls_cipher", series.cipher);
                    counter(lines, name, requests, tags.toString());
                } else {
                    statsdCounters.merge(name, requests, Long::sum);
                }
            }

            @Override
            public void configReloads(long reloads) {
                counter(lines, "config.reload.total", reloads, null);
            }

            @Override
            public void lastReloadSuccess(long epochSeconds) {
                line(lines, "config.reload.lastSuccessTimestamp", epochSeconds, "g", null);
            }
        });
        // The extensions' counters: <prefix>.<name with dots>.total; DogStatsD one line per series with its labels as
        // tags, plain StatsD the series added up.
        extensionCounterDeltas((counter, series, delta) -> {
            String name = counter.name().replace('_', '.') + ".total";
            if (dogStatsd) {
                StringBuilder tags = new StringBuilder();
                for (int i = 0; i < counter.labelNames().size(); i++) {
                    tag(tags, counter.labelNames().get(i), series.labelValues().get(i));
                }
                counter(lines, name, delta, tags.isEmpty() ? null : tags.toString());
            } else {
                statsdCounters.merge(name, delta, Long::sum);
            }
        });
        statsdCounters.forEach((name, value) -> counter(lines, name, value, null));
        gaugeLines(lines);
        send(lines);
        return false;   // UDP: a failure shows on a later send, a success never does
    }

    /**
     * The gateway's state at this push. DogStatsD: one gauge per label set. Plain StatsD has no labels: the open
     * connections of all entry points are added up, and the per-server, per-certificate and per-provider gauges,
     * which mean nothing without their labels, are left out.
     */
    private void gaugeLines(StringBuilder lines) {
        GatewayGauges state = gauges;
        List<GatewayGauges.OpenConnections> connections = state.openConnectionsByProtocol();
        if (!dogStatsd) {
            if (!connections.isEmpty()) {
                line(lines, "open.connections", connections.stream().mapToLong(GatewayGauges.OpenConnections::open)
                        .sum(), "g", null);
            }
            return;
        }
        connections.forEach(row -> {
            StringBuilder tags = new StringBuilder();
            tag(tags, "entrypoint", row.entryPoint());
            tag(tags, "protocol", row.protocol());
            line(lines, "open.connections", row.open(), "g", tags.toString());
        });
        state.servers().get().forEach((service, urls) -> urls.forEach((url, up) -> {
            StringBuilder tags = new StringBuilder();
            tag(tags, "service", service);
            tag(tags, "url", url);
            line(lines, "service.server.up", up ? 1 : 0, "g", tags.toString());
        }));
        for (GatewayGauges.Certificate certificate : state.distinctCertificates()) {
            StringBuilder tags = new StringBuilder();
            tag(tags, "cn", certificate.commonName());
            tag(tags, "serial", certificate.serial());
            tag(tags, "sans", certificate.sans());
            line(lines, "tls.certs.notAfterTimestamp", certificate.notAfterEpochSeconds(), "g", tags.toString());
        }
        for (ProviderHealth.Status provider : state.providers().get()) {
            StringBuilder tags = new StringBuilder();
            tag(tags, "provider", provider.provider());
            line(lines, "provider.up", provider.up() ? 1 : 0, "g", tags.toString());
            if (provider.lastPublished() != null) {
                line(lines, "provider.lastUpdateSuccessTimestamp", provider.lastPublished().getEpochSecond(), "g",
                        tags.toString());
            }
        }
    }

    /** {@code entrypoint:web,method:GET,protocol:http,code:200}, in Traefik's label order. */
    private static String requestTags(IntervalRequestMetrics.Series series) {
        StringBuilder tags = new StringBuilder();
        tag(tags, series.kind.word, series.name);
        if (series.service != null) {
            tag(tags, "service", series.service);
        }
        tag(tags, "method", series.method);
        tag(tags, "protocol", "http");
        tag(tags, "code", series.code);
        return tags.toString();
    }

    private static void tag(StringBuilder tags, String name, String value) {
        if (!tags.isEmpty()) {
            tags.append(',');
        }
        // DogStatsD separates tags with ',' and ends a line with '\n': neither may appear in a value.
        tags.append(name).append(':').append(value.replace(',', '_').replace('\n', '_').replace('|', '_'));
    }

    private void counter(StringBuilder lines, String name, long value, String tags) {
        line(lines, name, value, "c", tags);
    }

    /** {@code <prefix>.<name>:<value>|<type>[|#tags]}, the value with six decimals as go-kit writes it. */
    private void line(StringBuilder lines, String name, double value, String type, String tags) {
        lines.append(prefix).append(name).append(':').append(String.format(Locale.ROOT, "%f", value)).append('|')
                .append(type);
        if (tags != null) {
            lines.append("|#").append(tags);
        }
        lines.append('\n');
    }

    private void send(StringBuilder lines) throws IOException {
        if (lines.isEmpty()) {
            return;
        }
        if (channel == null) {
            channel = DatagramChannel.open();
            channel.connect(new InetSocketAddress(host, port));
        }
        datagram.clear();
        try {
            for (String line : lines.toString().split("\n")) {
                byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                if (datagram.position() > 0 && datagram.remaining() < bytes.length) {
                    flush();
                }
                if (bytes.length > datagram.capacity()) {
                    channel.write(ByteBuffer.wrap(bytes));   // a line longer than a datagram goes alone
                } else {
                    datagram.put(bytes);
                }
            }
            flush();
        } catch (IOException e) {
            release();   // a fresh socket next time (a connected one keeps reporting the old ICMP error)
            throw e;
        }
    }

    private void flush() throws IOException {
        datagram.flip();
        if (datagram.hasRemaining()) {
            channel.write(datagram);
        }
        datagram.clear();
    }

    @Override
    void release() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a UDP socket has nothing to report
            }
            channel = null;
        }
    }
}
