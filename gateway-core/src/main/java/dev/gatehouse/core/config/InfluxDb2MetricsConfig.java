package dev.gatehouse.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code metrics.influxDB2}: Traefik's metrics written to InfluxDB 2 ({@code POST /api/v2/write}, line protocol),
 * labels as tags. Enabled by presence; {@code token}, {@code org} and {@code bucket} are required, as in Traefik.
 *
 * @param address the server's base URL (default {@code http://localhost:8086})
 * @param token the API token, or the path of a file holding it
 * @param org the organization name or ID
 * @param bucket the bucket name or ID
 * @param pushInterval how often the metrics are written (default 10s)
 * @param addEntryPointsLabels write entry point request metrics (default true)
 * @param addRoutersLabels write router request metrics (default false)
 * @param addServicesLabels write service request metrics (default true)
 * @param additionalLabels tags added to every point
 */
@EnabledByPresence
public record InfluxDb2MetricsConfig(String address, String token, String org, String bucket, Duration pushInterval,
        Boolean addEntryPointsLabels, Boolean addRoutersLabels, Boolean addServicesLabels,
        Map<String, String> additionalLabels) {

    public InfluxDb2MetricsConfig {
        PushedMetricsDefaults.checkPushInterval(pushInterval);
        additionalLabels = additionalLabels == null ? Map.of() : new TreeMap<>(additionalLabels);
        if (address != null && !address.isBlank()) {
            URI uri;
            try {
                uri = URI.create(address);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null || !(address.startsWith("http://") || address.startsWith("https://"))) {
                throw new InvalidValueException("address", "'" + address
                        + "' is not an http:// or https:// URL (for example http://localhost:8086)");
            }
        }
        for (String[] required : new String[][] {{"token", token}, {"org", org}, {"bucket", bucket}}) {
            if (required[1] == null || required[1].isBlank()) {
                throw new InvalidValueException(required[0], "metrics.influxDB2 needs token, org and bucket: set "
                        + "metrics.influxDB2." + required[0]);
            }
        }
    }

    public String addressOrDefault() {
        String base = address == null || address.isBlank() ? "http://localhost:8086" : address;
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /**
     * The token: the content of the file {@code token} names when there is one (as Traefik's "file or content"),
     * else {@code token} itself.
     *
     * @param resolve where a relative path is read from (the configuration file's folder)
     */
    public String tokenValue(Function<String, Path> resolve) {
        try {
            Path file = resolve.apply(token);
            if (Files.isRegularFile(file)) {
                return Files.readString(file).trim();
            }
        } catch (InvalidPathException e) {
            // not a path: the token itself
        } catch (IOException e) {
            throw new UncheckedIOException("reading metrics.influxDB2.token from " + token, e);
        }
        return token.trim();
    }

    public Duration pushIntervalOrDefault() {
        return PushedMetricsDefaults.pushInterval(pushInterval);
    }

    public PushedMetricsDefaults.Labels labels() {
        return PushedMetricsDefaults.labels(addEntryPointsLabels, addRoutersLabels, addServicesLabels);
    }
}
