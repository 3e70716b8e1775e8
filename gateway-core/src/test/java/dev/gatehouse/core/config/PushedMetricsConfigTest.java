package dev.gatehouse.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.otel.OtlpTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metrics.otlp}, {@code statsD}, {@code datadog} and {@code influxDB2} bind from flags with Traefik's
 * defaults, and values Gatehouse cannot use are refused naming the key and how to fix it.
 */
class PushedMetricsConfigTest {

    @TempDir
    Path dir;

    private MetricsConfig metrics(String... flags) throws ConfigurationException {
        return StaticConfigurationLoader.load(List.of(flags), Map.of(), dir, null).configuration().metrics();
    }

    /** Where metrics.otlp exports to, worked out as the backend does. */
    private static String endpoint(OtlpMetricsConfig otlp) throws ConfigurationException {
        return OtlpTarget.of(otlp.http(), otlp.grpc(), "/v1/metrics", "metrics.otlp").endpoint();
    }

    /** The error, lower-cased: flags name keys in any case, as Traefik's do. */
    private String refused(String... flags) {
        return assertThrows(ConfigurationException.class, () -> metrics(flags)).getMessage().toLowerCase(java.util.Locale.ROOT);
    }

    @Test
    void presenceSwitchesEachBackendOnWithTraefiksDefaults() throws Exception {
        MetricsConfig metrics = metrics("--metrics.otlp", "--metrics.statsd", "--metrics.datadog=true",
                "--metrics.influxdb2.token=t", "--metrics.influxdb2.org=o", "--metrics.influxdb2.bucket=b");
        assertNull(metrics.otlp().grpc(), "HTTP unless grpc is given");
        assertEquals("https://localhost:4318/v1/metrics", endpoint(metrics.otlp()));
        assertEquals(Duration.ofSeconds(10), metrics.otlp().pushIntervalOrDefault());
        assertEquals("traefik", metrics.otlp().serviceNameOrDefault());
        assertEquals(14, metrics.otlp().explicitBoundaries().size());
        assertEquals(new PushedMetricsDefaults.Labels(true, false, true), metrics.otlp().labels());
        assertEquals("localhost:8125", metrics.statsD().addressOrDefault());
        assertEquals("traefik", metrics.statsD().prefixOrDefault());
        assertEquals("http://localhost:8086", metrics.influxDB2().addressOrDefault());
        assertTrue(metrics.datadog().addressOrDefault().endsWith(":8125"));
    }

    @Test
    void otlpGrpcIsChosenByPresenceAndItsEndpointIsHostAndPort() throws Exception {
        OtlpMetricsConfig otlp = metrics("--metrics.otlp.grpc").otlp();
        assertEquals("https://localhost:4317", endpoint(otlp), "TLS unless insecure");
        otlp = metrics("--metrics.otlp.grpc.endpoint=collector:4317", "--metrics.otlp.grpc.insecure=true").otlp();
        assertEquals("http://collector:4317", endpoint(otlp));
        assertEquals("https://collector/otlp/v1/metrics", endpoint(
                metrics("--metrics.otlp.http.endpoint=https://collector/otlp/v1/metrics").otlp()), "a path is kept as given");
    }

    @Test
    void unusableValuesAreRefusedNamingTheKeyAndTheFix() {
        String unix = refused("--metrics.datadog.address=unix:///var/run/datadog/dsd.socket");
        assertTrue(unix.contains("metrics.datadog.address") && unix.contains("host:port"), unix);
        String token = refused("--metrics.influxdb2.org=o", "--metrics.influxdb2.bucket=b");
        assertTrue(token.contains("metrics.influxdb2.token") && token.contains("needs token, org and bucket"), token);
        String address = refused("--metrics.statsd.address=localhost");
        assertTrue(address.contains("metrics.statsd.address") && address.contains("<host>:<port>"), address);
        String boundaries = refused("--metrics.otlp.explicitBoundaries=1,0.5");
        assertTrue(boundaries.contains("metrics.otlp.explicitboundaries") && boundaries.contains("increasing"), boundaries);
        String endpoint = refused("--metrics.otlp.http.endpoint=localhost:4318");
        assertTrue(endpoint.contains("metrics.otlp.http.endpoint") && endpoint.contains("http://"), endpoint);
    }

    @Test
    void otlpTlsErrorsNameTheMetricsKey() throws Exception {
        ConfigurationException missing = assertThrows(ConfigurationException.class, () -> endpoint(metrics(
                "--metrics.otlp.http.endpoint=https://collector:4318", "--metrics.otlp.http.tls.ca=" + dir.resolve("no-ca.pem"))
                .otlp()));
        assertTrue(missing.getMessage().startsWith("metrics.otlp.http.tls.ca: cannot read"), missing.getMessage());
        String half = refused("--metrics.otlp.grpc.tls.cert=client.pem");
        assertTrue(half.contains("metrics.otlp.grpc.tls") && half.contains("tls.key"), half);
    }
}
