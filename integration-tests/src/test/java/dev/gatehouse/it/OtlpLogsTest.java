package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.otlp.OtlpReceiver;
import dev.gatehouse.otlp.OtlpReceiver.ReceivedLog;
import dev.gatehouse.testkit.TestGateway;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code log.otlp} and {@code accessLog.otlp} (with {@code experimental.otlpLogs}, as Traefik requires): records
 * received by a real OTLP receiver.
 */
class OtlpLogsTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private static Map<String, KeyValue> attributes(ReceivedLog log) {
        return log.log().getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv));
    }

    @Test
    void accessLogLinesGoOverHttpAndGatewayLogOverGrpc() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start();
             TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, Gateways.appRoute(backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                     providers:
                       providersThrottleDuration: 100ms
                       file:
                         directory: dynamic
                     experimental:
                       otlpLogs: true
                     log:
                       otlp:
                         serviceName: edge-log
                         grpc:
                           endpoint: %s
                           insecure: true
                     accessLog:
                       filePath: logs/access.log
                       otlp:
                         http:
                           endpoint: %s
                     """.formatted(receiver.grpcAddress(), receiver.httpEndpoint())).start()) {
            assertEquals(200, Http.status(gateway.url("/app/x?q=1")));

            ReceivedLog access = receiver.awaitLogs(l -> l.scope().equals("gatehouse-accesslog"), 1, WAIT).get(0);
            assertEquals("http", access.transport());
            assertTrue(access.log().getBody().getStringValue().contains("\"GET /app/x?q=1 HTTP/1.1\" 200"),
                    access.log().getBody().getStringValue());
            assertEquals("app@file", attributes(access).get("RouterName").getValue().getStringValue());
            assertEquals(200, attributes(access).get("DownstreamStatus").getValue().getIntValue());
            assertEquals("traefik", resource(access).get("service.name"), "Traefik's default service name");

            ReceivedLog ready = receiver.awaitLogs(l -> l.log().getBody().getStringValue().contains("ready in"), 1, WAIT).get(0);
            assertEquals("grpc", ready.transport());
            assertEquals(SeverityNumber.SEVERITY_NUMBER_INFO, ready.log().getSeverityNumber());
            assertEquals("edge-log", resource(ready).get("service.name"));
            assertFalse(Files.exists(dir.resolve("logs/access.log")) && !Files.readString(dir.resolve("logs/access.log")).isEmpty(),
                    "with OTLP and no dualOutput, the file gets nothing, as in Traefik");
            assertEquals(List.of(), receiver.rejected());
        }
    }

    private static Map<String, String> resource(ReceivedLog log) {
        return log.resource().getAttributesList().stream()
                .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
    }
}
