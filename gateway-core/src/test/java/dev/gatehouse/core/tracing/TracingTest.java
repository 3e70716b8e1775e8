package dev.gatehouse.core.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.OtlpClientTlsConfig;
import dev.gatehouse.core.config.OtlpGrpcConfig;
import dev.gatehouse.core.config.OtlpTracingConfig;
import dev.gatehouse.core.config.OtlpHttpConfig;
import dev.gatehouse.core.config.TracingConfig;
import dev.gatehouse.core.otel.OtlpTarget;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Traefik's redaction of URLs in spans, its span names for middlewares, and where the exporters send. */
class TracingTest {

    private static Tracing tracing(List<String> safeQueryParams) {
        return new Tracing(new TracingConfig(null, null, null, null, null, null, safeQueryParams, null, null),
                NO_EXPORT, Resource.empty());
    }

    /** These tests look at no span. */
    private static final SpanExporter NO_EXPORT = new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    };

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a=1&b=2|           |a=REDACTED&b=REDACTED",
        "b=2&a=1|a          |a=1&b=REDACTED",
        "page=2&page=3|page |page=2&page=3",
        "token=x&token=y|   |token=REDACTED",
        "q=a+b%20c|q        |q=a+b+c",
        "flag|              |flag=REDACTED"})
    void queryValuesAreRedactedUnlessSafeAndSortedByNameAsGoEncodesThem(String query, String safe, String expected) {
        try (Tracing tracing = tracing(safe == null ? List.of() : List.of(safe.strip()))) {
            assertEquals(expected, tracing.safeQuery(query));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://10.0.0.5:8080/p?x=1|http://10.0.0.5:8080/p?x=REDACTED",
        "http://user:pw@10.0.0.5/p|http://REDACTED:REDACTED@10.0.0.5/p"})
    void clientUrlsHideCredentialsAndQueryValues(String url, String expected) {
        try (Tracing tracing = tracing(List.of())) {
            assertEquals(expected, tracing.safeUrl(URI.create(url)));
        }
    }

    @ParameterizedTest
    @CsvSource({"stripPrefix,StripPrefix", "ipAllowList,IPAllowLister", "rateLimit,RateLimiter",
        "redirectScheme,Redirect", "errors,CustomError", "buffering,Buffer", "addHeader,AddHeader"})
    void middlewareSpansHaveTraefiksTypeNames(String typeKey, String spanName) {
        assertEquals(spanName, MiddlewareSpanNames.of(typeKey));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "                                 | https://localhost:4318/v1/traces",
        "http://collector:4318            | http://collector:4318/v1/traces",
        "http://collector:4318/custom/path| http://collector:4318/custom/path"})
    void httpEndpointsGetTheSignalsPathOnlyWhenTheyHaveNone(String endpoint, String expected)
            throws Exception {
        OtlpTarget target = OtlpTarget.of(new OtlpHttpConfig(endpoint, Map.of(), null), null, "/v1/traces", "tracing.otlp");
        assertEquals(expected, target.endpoint());
    }

    @ParameterizedTest
    @CsvSource({"true,http://localhost:4317", "false,https://localhost:4317"})
    void grpcIsPlainHttp2OnlyWhenInsecure(boolean insecure, String expected) throws Exception {
        OtlpTarget target = OtlpTarget.of(new OtlpHttpConfig(null, null, null),
                new OtlpGrpcConfig(null, insecure, null, null), "/v1/traces", "tracing.otlp");
        assertEquals(expected, target.endpoint(), "gRPC wins over HTTP when both are set, as in Traefik");
    }

    @Test
    void unreadableOrNonPemTlsFilesAreConfigurationErrorsNamingTheKey(@TempDir Path dir) throws Exception {
        ConfigurationException missing = assertThrows(ConfigurationException.class, () -> Tracing.start(
                tracingWithCa(dir.resolve("absent.pem").toString()), "test"));
        assertTrue(missing.getMessage().contains("tracing.otlp.http.tls.ca: cannot read '"), missing.getMessage());
        assertTrue(missing.getMessage().contains("(no such file)"), missing.getMessage());

        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        ConfigurationException invalid = assertThrows(ConfigurationException.class, () -> Tracing.start(
                tracingWithCa(notPem.toString()), "test"));
        assertTrue(invalid.getMessage().startsWith("tracing.otlp.http.tls: "), invalid.getMessage());
    }

    private static TracingConfig tracingWithCa(String ca) {
        return new TracingConfig(null, null, null, null, null, null, null, null, new OtlpTracingConfig(
                new OtlpHttpConfig("https://localhost:4318", null, new OtlpClientTlsConfig(ca, null, null, null)), null));
    }
}
