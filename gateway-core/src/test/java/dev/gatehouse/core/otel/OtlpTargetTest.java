package dev.gatehouse.core.otel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.OtlpClientTlsConfig;
import dev.gatehouse.core.config.OtlpGrpcConfig;
import dev.gatehouse.core.config.OtlpHttpConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where an OTLP exporter sends and with what TLS material, the same for tracing, OTLP logs and metrics. */
class OtlpTargetTest {

    private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    @TempDir
    Path dir;

    @Test
    void tlsValuesAreFilesOrThePemTextItselfAsInTraefik() throws Exception {
        Path file = Files.writeString(dir.resolve("ca.pem"), PEM);
        OtlpTarget fromFile = OtlpTarget.of(new OtlpHttpConfig("https://collector:4318", null,
                new OtlpClientTlsConfig(file.toString(), null, null, null)), null, "/v1/metrics", "metrics.otlp");
        OtlpTarget inline = OtlpTarget.of(new OtlpHttpConfig("https://collector:4318", null,
                new OtlpClientTlsConfig(PEM, PEM, PEM, null)), null, "/v1/metrics", "metrics.otlp");
        assertArrayEquals(PEM.getBytes(StandardCharsets.UTF_8), fromFile.caPem());
        assertArrayEquals(PEM.getBytes(StandardCharsets.UTF_8), inline.caPem());
        assertArrayEquals(PEM.getBytes(StandardCharsets.UTF_8), inline.clientCertPem());
        assertEquals("https://collector:4318/v1/metrics", inline.endpoint());
    }

    @Test
    void aTlsFileThatCannotBeReadIsAnErrorNamingTheSignalsKey() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> OtlpTarget.of(null,
                new OtlpGrpcConfig("collector:4317", null, null,
                        new OtlpClientTlsConfig(null, dir.resolve("client.pem").toString(), "client-key.pem", null)),
                "/v1/metrics", "metrics.otlp"));
        assertTrue(e.getMessage().startsWith("metrics.otlp.grpc.tls.cert: cannot read '"), e.getMessage());
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }
}
