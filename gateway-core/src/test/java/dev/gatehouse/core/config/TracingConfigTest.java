package dev.gatehouse.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tracing}, {@code log.otlp}, {@code accessLog.otlp} and {@code experimental.otlpLogs} load with Traefik's
 * keys and defaults from every source, and a value Traefik refuses is refused with a message that says why.
 */
class TracingConfigTest {

    private static final String YAML = """
            entryPoints:
              web:
                address: ":80"
            experimental:
              otlpLogs: true
            tracing:
              serviceName: edge
              sampleRate: 0.25
              resourceAttributes:
                env: prod
              globalAttributes:
                env: old
                team: platform
              capturedRequestHeaders: [X-Request-Id]
              safeQueryParams: [page]
              addInternals: true
              otlp:
                grpc:
                  endpoint: collector:4317
                  insecure: true
            log:
              otlp:
                http:
                  endpoint: http://collector:4318
            """;

    private static final String TOML = """
            [entryPoints.web]
            address = ":80"
            [experimental]
            otlpLogs = true
            [tracing]
            serviceName = "edge"
            sampleRate = 0.25
            capturedRequestHeaders = ["X-Request-Id"]
            safeQueryParams = ["page"]
            addInternals = true
            [tracing.resourceAttributes]
            env = "prod"
            [tracing.globalAttributes]
            env = "old"
            team = "platform"
            [tracing.otlp.grpc]
            endpoint = "collector:4317"
            insecure = true
            [log.otlp.http]
            endpoint = "http://collector:4318"
            """;

    private static final List<String> FLAGS = List.of("--entryPoints.web.address=:80",
            "--experimental.otlplogs=true", "--tracing.serviceName=edge", "--tracing.sampleRate=0.25",
            "--tracing.resourceAttributes.env=prod", "--tracing.globalAttributes.env=old",
            "--tracing.globalAttributes.team=platform", "--tracing.capturedRequestHeaders=X-Request-Id",
            "--tracing.safeQueryParams=page", "--tracing.addInternals=true",
            "--tracing.otlp.grpc.endpoint=collector:4317", "--tracing.otlp.grpc.insecure=true",
            "--log.otlp.http.endpoint=http://collector:4318");

    @TempDir
    Path dir;

    private StaticConfiguration fromFile(String name, String content) throws Exception {
        Files.writeString(dir.resolve(name), content);
        return StaticConfigurationLoader.load(List.of("--configFile=" + name), Map.of(), dir, null).configuration();
    }

    private StaticConfiguration load(String source) throws Exception {
        return switch (source) {
            case "yaml" -> fromFile("gatehouse.yml", YAML);
            case "toml" -> fromFile("gatehouse.toml", TOML);
            case "flags" -> StaticConfigurationLoader.load(FLAGS, Map.of(), dir, null).configuration();
            default -> throw new IllegalArgumentException(source);
        };
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"yaml", "toml", "flags"})
    void traefiksTracingKeysLoadTheSameFromEverySource(String source) throws Exception {
        TracingConfig tracing = load(source).tracing();
        assertEquals("edge", tracing.serviceNameOrDefault());
        assertEquals(0.25, tracing.sampleRateOrDefault());
        assertEquals(Map.of("env", "prod", "team", "platform"), tracing.allResourceAttributes(),
                "resourceAttributes over the deprecated globalAttributes");
        assertEquals(List.of("X-Request-Id"), tracing.capturedRequestHeaders());
        assertEquals(List.of("page"), tracing.safeQueryParams());
        assertTrue(tracing.addInternalsOrDefault());
        assertEquals("collector:4317", tracing.otlpOrDefault().grpc().endpointOrDefault());
        assertTrue(tracing.otlpOrDefault().grpc().insecureOrDefault());
        assertEquals("http://collector:4318", load(source).log().otlp().http().endpointOrDefault());
    }

    @Test
    void presenceAloneEnablesTracingWithTraefiksDefaults() throws Exception {
        StaticConfiguration c = StaticConfigurationLoader.load(List.of("--entryPoints.web.address=:80", "--tracing"),
                Map.of(), dir, null).configuration();
        TracingConfig tracing = c.tracing();
        assertEquals("traefik", tracing.serviceNameOrDefault());
        assertEquals(1.0, tracing.sampleRateOrDefault());
        assertNull(tracing.otlpOrDefault().grpc());
        assertEquals("https://localhost:4318", new OtlpHttpConfig(null, null, null).endpointOrDefault());
        assertEquals("localhost:4317", new OtlpGrpcConfig(null, null, null, null).endpointOrDefault());
        assertNull(StaticConfigurationLoader.load(List.of("--entryPoints.web.address=:80", "--tracing=false"),
                Map.of(), dir, null).configuration().tracing());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--tracing.sampleRate=1.5|sampleRate must be between 0.0 and 1.0",
        "--tracing.otlp.http.endpoint=collector:4318|expected <scheme>://<host>:<port><path>",
        "--tracing.otlp.grpc.endpoint=http://collector:4317|expected <host>:<port>",
        "--log.otlp.http.endpoint=http://collector:4318|add experimental.otlpLogs: true",
        "--accessLog.otlp=true|add experimental.otlpLogs: true"})
    void valuesTraefikRefusesAreRefusedWithTheReason(String flagAndMessage) {
        String[] parts = flagAndMessage.split("\\|");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> StaticConfigurationLoader
                .load(List.of("--entryPoints.web.address=:80", parts[0]), Map.of(), dir, null));
        assertTrue(e.getMessage().contains(parts[1]), e.getMessage());
    }

    /**
     * As Traefik, whose gRPC client prefers TLS credentials to {@code insecure} (both are accepted): the exporter
     * speaks TLS, trusting the given CA, rather than sending the spans in clear text.
     */
    @Test
    void grpcTlsWinsOverInsecureAsInTraefik() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        TracingConfig tracing = fromFile("gatehouse.yml", """
                entryPoints:
                  web:
                    address: ":80"
                tracing:
                  otlp:
                    grpc:
                      endpoint: collector:4317
                      insecure: true
                      tls:
                        ca: %s
                """.formatted(dir.resolve("ca.pem"))).tracing();
        dev.gatehouse.core.otel.OtlpTarget target = dev.gatehouse.core.otel.OtlpTarget.of(
                tracing.otlpOrDefault().http(), tracing.otlpOrDefault().grpc(), "/v1/traces", "tracing.otlp");
        assertEquals("https://collector:4317", target.endpoint());
        assertNotNull(target.caPem());
    }
}
