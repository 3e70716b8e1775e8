package dev.gatehouse.core.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.config.OtlpHttpConfig;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class OtlpExportersTest {

    /**
     * metrics.otlp reports its failed exports itself; the SDK's exporters of all signals log to the same loggers, so
     * what it mutes there must be the metric exporter's lines only: a failing tracing exporter is still logged.
     */
    @Test
    void mutingTheMetricExportFailuresLeavesTheSpanExportFailuresLogged() throws Exception {
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(400, -1);   // not retryable: one failure per export
            }
        });
        collector.start();
        Logger sdkLogger = Logger.getLogger("io.opentelemetry.exporter.otlp.internal.HttpExporter");
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        sdkLogger.addHandler(capture);
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
        MetricExporter metrics = OtlpExporters.metrics(
                OtlpTarget.of(new OtlpHttpConfig(endpoint, null, null), null, "/v1/metrics", "metrics.otlp"));
        SpanExporter spans = OtlpExporters.spans(
                OtlpTarget.of(new OtlpHttpConfig(endpoint, null, null), null, "/v1/traces", "tracing.otlp"));
        try {
            OtlpExporters.leaveMetricExportFailuresToTheGateway();
            assertTrue(metrics.export(List.of()).join(10, TimeUnit.SECONDS).isDone());
            assertTrue(spans.export(List.of()).join(10, TimeUnit.SECONDS).isDone());
            assertEquals(1, logged.size(), "only the span exporter's failure: " + logged);
            assertTrue(logged.get(0).matches("Failed to export \\d+ spans\\..*"), logged.get(0));
        } finally {
            sdkLogger.removeHandler(capture);
            Logger.getLogger("io.opentelemetry.exporter.otlp.internal.HttpExporter").setFilter(null);
            Logger.getLogger("io.opentelemetry.exporter.otlp.internal.GrpcExporter").setFilter(null);
            metrics.shutdown();
            spans.shutdown();
            collector.stop(0);
        }
    }
}
