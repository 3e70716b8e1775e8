package dev.gatehouse.core.otel;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.OtlpLogsConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code log.otlp} and {@code accessLog.otlp}: log records batched and sent to a collector over OTLP (HTTP or gRPC),
 * with the resource Traefik gives them. One per section; emitting never blocks (the batch drops when full).
 */
public final class OtlpLogs implements AutoCloseable {

    private final SdkLoggerProvider provider;
    private final Logger logger;

    private OtlpLogs(SdkLoggerProvider provider, String scope) {
        this.provider = provider;
        this.logger = provider.get(scope);
    }

    /**
     * @param where the configuration key, for errors ({@code log.otlp})
     * @param scope the instrumentation scope of the records
     */
    public static OtlpLogs start(OtlpLogsConfig config, String version, String where, String scope)
            throws ConfigurationException {
        OtlpTarget target = OtlpTarget.of(config.http(), config.grpc(), "/v1/logs", where);
        SdkLoggerProvider provider = SdkLoggerProvider.builder()
                .setResource(OtlpExporters.resource(config.serviceNameOrDefault(), version, config.resourceAttributes(),
                        System.getenv()))
                .addLogRecordProcessor(BatchLogRecordProcessor.builder(OtlpExporters.logs(target))
                        .setScheduleDelay(OtlpExporters.scheduleDelay(System.getenv(), "OTEL_BLRP_SCHEDULE_DELAY", 1000))
                        .build())
                .build();
        return new OtlpLogs(provider, scope);
    }

    /** The logger records are emitted with. */
    public Logger logger() {
        return logger;
    }

    /** A JUL handler that sends what the gateway logs (at the configured level) as log records. */
    public Handler julHandler(java.util.logging.Formatter messages) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                // The exporter's own complaints (a collector that is down) would feed themselves back to it.
                if (!isLoggable(record) || (record.getLoggerName() != null
                        && record.getLoggerName().startsWith("io.opentelemetry"))) {
                    return;
                }
                var builder = logger.logRecordBuilder()
                        .setTimestamp(record.getInstant())
                        .setSeverity(severity(record.getLevel()))
                        .setSeverityText(severityText(record.getLevel()))
                        .setBody(messages.formatMessage(record));
                if (record.getLoggerName() != null) {
                    builder.setAttribute(AttributeKey.stringKey("logger"), record.getLoggerName());
                }
                if (record.getThrown() != null) {
                    builder.setAttribute(AttributeKey.stringKey("exception.type"), record.getThrown().getClass().getName());
                    builder.setAttribute(AttributeKey.stringKey("exception.message"), String.valueOf(record.getThrown().getMessage()));
                }
                builder.emit();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
                // The provider outlives the handler: the log is reconfigured (SIGUSR1) without losing records.
            }
        };
    }

    @Override
    public void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }

    static Severity severity(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return Severity.ERROR;
        }
        if (value >= Level.WARNING.intValue()) {
            return Severity.WARN;
        }
        if (value >= Level.INFO.intValue()) {
            return Severity.INFO;
        }
        return value >= Level.FINE.intValue() ? Severity.DEBUG : Severity.TRACE;
    }

    /** Traefik's (zerolog's) level names. */
    static String severityText(Level level) {
        return switch (severity(level)) {
            case ERROR -> "error";
            case WARN -> "warn";
            case INFO -> "info";
            case DEBUG -> "debug";
            default -> "trace";
        };
    }
}
