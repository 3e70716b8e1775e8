package dev.gatehouse.core.otel;

import dev.gatehouse.core.config.ConfigurationException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the OpenTelemetry SDK's OTLP exporters from an {@link OtlpTarget}, gzip-compressed as Traefik's, and the
 * resource that describes the gateway. HTTP goes through the JDK's HTTP client; gRPC through Jetty's HTTP/2 client
 * ({@link JettyGrpcSender}), so no other HTTP stack is shipped.
 */
public final class OtlpExporters {

    /**
     * The instrumentation scope of Traefik's tracer and meter, kept so that collector pipelines and dashboards that
     * filter on it keep working.
     */
    public static final String TRAEFIK_SCOPE = "github.com/traefik/traefik";

    private OtlpExporters() {
    }

    public static SpanExporter spans(OtlpTarget target) throws ConfigurationException {
        return built(target, () -> spanExporter(target));
    }

    public static LogRecordExporter logs(OtlpTarget target) throws ConfigurationException {
        return built(target, () -> logExporter(target));
    }

    public static MetricExporter metrics(OtlpTarget target) throws ConfigurationException {
        return built(target, () -> metricExporter(target));
    }

    /**
     * The loggers of the SDK's OTLP exporters, shared by every signal: each failed export is logged there with its
     * exception. Held here: java.util.logging keeps levels and filters only on loggers that are referenced.
     */
    private static final List<Logger> SDK_EXPORTER_LOGGERS = List.of(
            Logger.getLogger("io.opentelemetry.exporter.otlp.internal.HttpExporter"),
            Logger.getLogger("io.opentelemetry.exporter.otlp.internal.GrpcExporter"));

    /** The metric reader's logger, which repeats each failure of the metric exporter. */
    private static final Logger SDK_METRIC_READER_LOGGER =
            Logger.getLogger("io.opentelemetry.sdk.metrics.export.PeriodicMetricReader");

    /**
     * Leaves the reporting of failed metric exports to {@code metrics.otlp}'s own log (once a minute, naming the key
     * and the address) instead of the SDK's (a line with an exception per export), unless the gateway logs at DEBUG.
     * Only the metric exporter's lines go: the exporters of spans and logs share the SDK's loggers and keep theirs.
     */
    public static void leaveMetricExportFailuresToTheGateway() {
        if (Logger.getLogger("").isLoggable(Level.FINE)) {
            return;
        }
        SDK_METRIC_READER_LOGGER.setLevel(Level.OFF);
        SDK_EXPORTER_LOGGERS.forEach(logger -> logger.setFilter(OtlpExporters::notAboutMetricExports));
    }

    /**
     * The SDK writes "Failed to export 12 metrics. ..." for the metric exporter ("spans", "logs" for the others); its
     * notice that it throttles an exporter's lines cannot be told apart by signal, and says nothing about the failure.
     */
    static boolean notAboutMetricExports(java.util.logging.LogRecord record) {
        String message = record.getMessage();
        return message == null || !(METRIC_EXPORT_FAILURE.matcher(message).lookingAt()
                || message.startsWith("Too many log messages detected"));
    }

    private static final java.util.regex.Pattern METRIC_EXPORT_FAILURE =
            java.util.regex.Pattern.compile("Failed to export (\\d+ )?metrics\\b");

    /**
     * The exporter, or a configuration error naming the key when the SDK refuses the TLS material (a file that is
     * not PEM, a key that does not fit its certificate).
     */
    private static <T> T built(OtlpTarget target, java.util.function.Supplier<T> build) throws ConfigurationException {
        try {
            return build.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigurationException(target.key() + ".tls: " + e.getMessage()
                    + " (give PEM, as files or text: ca, and cert with its PKCS#8 key)");
        }
    }

    private static SpanExporter spanExporter(OtlpTarget target) {
        if (target.grpc()) {
            return configure(OtlpGrpcSpanExporter.builder(), target, OtlpGrpcSpanExporterBuilder::setEndpoint,
                    OtlpGrpcSpanExporterBuilder::setCompression, OtlpGrpcSpanExporterBuilder::addHeader,
                    OtlpGrpcSpanExporterBuilder::setTrustedCertificates, OtlpGrpcSpanExporterBuilder::setClientTls,
                    OtlpGrpcSpanExporterBuilder::setSslContext).build();
        }
        return configure(OtlpHttpSpanExporter.builder(), target, OtlpHttpSpanExporterBuilder::setEndpoint,
                OtlpHttpSpanExporterBuilder::setCompression, OtlpHttpSpanExporterBuilder::addHeader,
                OtlpHttpSpanExporterBuilder::setTrustedCertificates, OtlpHttpSpanExporterBuilder::setClientTls,
                OtlpHttpSpanExporterBuilder::setSslContext).build();
    }

    private static LogRecordExporter logExporter(OtlpTarget target) {
        if (target.grpc()) {
            return configure(OtlpGrpcLogRecordExporter.builder(), target, OtlpGrpcLogRecordExporterBuilder::setEndpoint,
                    OtlpGrpcLogRecordExporterBuilder::setCompression, OtlpGrpcLogRecordExporterBuilder::addHeader,
                    OtlpGrpcLogRecordExporterBuilder::setTrustedCertificates,
                    OtlpGrpcLogRecordExporterBuilder::setClientTls, OtlpGrpcLogRecordExporterBuilder::setSslContext)
                    .build();
        }
        return configure(OtlpHttpLogRecordExporter.builder(), target, OtlpHttpLogRecordExporterBuilder::setEndpoint,
                OtlpHttpLogRecordExporterBuilder::setCompression, OtlpHttpLogRecordExporterBuilder::addHeader,
                OtlpHttpLogRecordExporterBuilder::setTrustedCertificates, OtlpHttpLogRecordExporterBuilder::setClientTls,
                OtlpHttpLogRecordExporterBuilder::setSslContext).build();
    }

    private static MetricExporter metricExporter(OtlpTarget target) {
        if (target.grpc()) {
            return configure(OtlpGrpcMetricExporter.builder(), target, OtlpGrpcMetricExporterBuilder::setEndpoint,
                    OtlpGrpcMetricExporterBuilder::setCompression, OtlpGrpcMetricExporterBuilder::addHeader,
                    OtlpGrpcMetricExporterBuilder::setTrustedCertificates, OtlpGrpcMetricExporterBuilder::setClientTls,
                    OtlpGrpcMetricExporterBuilder::setSslContext).build();
        }
        return configure(OtlpHttpMetricExporter.builder(), target, OtlpHttpMetricExporterBuilder::setEndpoint,
                OtlpHttpMetricExporterBuilder::setCompression, OtlpHttpMetricExporterBuilder::addHeader,
                OtlpHttpMetricExporterBuilder::setTrustedCertificates, OtlpHttpMetricExporterBuilder::setClientTls,
                OtlpHttpMetricExporterBuilder::setSslContext).build();
    }

    /** A setter of an exporter builder that takes two values. */
    @FunctionalInterface
    public interface Setter2<B, X, Y> {
        void set(B builder, X first, Y second);
    }

    /**
     * Applies {@code target} to any OTLP exporter builder of the SDK (spans, logs, metrics): they have the same
     * setters under the same names, but no common interface, so each signal passes its own.
     */
    public static <B> B configure(B builder, OtlpTarget target, BiConsumer<B, String> endpoint,
            BiConsumer<B, String> compression, Setter2<B, String, String> header, BiConsumer<B, byte[]> trustedCa,
            Setter2<B, byte[], byte[]> clientTls, Setter2<B, SSLContext, X509TrustManager> sslContext) {
        endpoint.accept(builder, target.endpoint());
        compression.accept(builder, "gzip");
        target.headers().forEach((name, value) -> header.set(builder, name, value));
        if (target.caPem() != null) {
            trustedCa.accept(builder, target.caPem());
        }
        if (target.clientCertPem() != null) {
            clientTls.set(builder, target.clientKeyPem(), target.clientCertPem());
        }
        if (target.trustAll() != null) {
            sslContext.set(builder, target.trustAll(), OtlpTarget.TRUST_ALL);
        }
        return builder;
    }

    /**
     * The batch processors' export interval from the standard variable {@code name} ({@code OTEL_BSP_SCHEDULE_DELAY}
     * for spans, {@code OTEL_BLRP_SCHEDULE_DELAY} for logs, in milliseconds), which Traefik's Go SDK reads too; the
     * SDK's default when unset or not a positive number.
     */
    public static java.time.Duration scheduleDelay(Map<String, String> environment, String name, long defaultMillis) {
        String value = environment.get(name);
        if (value != null) {
            try {
                long millis = Long.parseLong(value.strip());
                if (millis > 0) {
                    return java.time.Duration.ofMillis(millis);
                }
            } catch (NumberFormatException e) {
                // as the SDKs do: an invalid value leaves the default
            }
        }
        return java.time.Duration.ofMillis(defaultMillis);
    }

    /**
     * The resource of every signal, as Traefik builds it: {@code service.name}, {@code service.version}, the host and
     * process, then the configured attributes, then {@code OTEL_RESOURCE_ATTRIBUTES} and {@code OTEL_SERVICE_NAME}
     * from the environment, which override them.
     */
    public static Resource resource(String serviceName, String version, Map<String, String> attributes,
            Map<String, String> environment) {
        AttributesBuilder builder = Attributes.builder()
                .put(AttributeKey.stringKey("service.name"), serviceName)
                .put(AttributeKey.stringKey("service.version"), version)
                .put(AttributeKey.stringKey("process.pid"), String.valueOf(ProcessHandle.current().pid()))
                .put(AttributeKey.stringKey("process.runtime.name"), System.getProperty("java.runtime.name", "java"))
                .put(AttributeKey.stringKey("os.type"), System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT));
        String host = hostName();
        if (host != null) {
            builder.put(AttributeKey.stringKey("host.name"), host);
        }
        attributes.forEach((key, value) -> builder.put(AttributeKey.stringKey(key), value));
        String fromEnvironment = environment.get("OTEL_RESOURCE_ATTRIBUTES");
        if (fromEnvironment != null) {
            for (String pair : fromEnvironment.split(",")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    builder.put(AttributeKey.stringKey(decode(pair.substring(0, equals).strip())),
                            decode(pair.substring(equals + 1).strip()));
                }
            }
        }
        String serviceFromEnvironment = environment.get("OTEL_SERVICE_NAME");
        if (serviceFromEnvironment != null && !serviceFromEnvironment.isBlank()) {
            builder.put(AttributeKey.stringKey("service.name"), serviceFromEnvironment);
        }
        return Resource.getDefault().merge(Resource.create(builder.build()));
    }

    private static String decode(String value) {
        return java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The kernel's host name, as Go's os.Hostname gives Traefik: no DNS lookup, which could stall the start. */
    private static String hostName() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException | RuntimeException e) {
            return System.getenv("HOSTNAME");
        }
    }
}
