package dev.gatehouse.core.otel;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.OtlpClientTlsConfig;
import dev.gatehouse.core.config.OtlpGrpcConfig;
import dev.gatehouse.core.config.OtlpHttpConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Where and how one OTLP exporter sends (tracing, OTLP logs, OTLP metrics): the collector's URL, the headers,
 * and the TLS material, worked out once from {@code otlp.http} or {@code otlp.grpc} with Traefik's defaults. The
 * exporter builders of the OpenTelemetry SDK share no interface, so each signal applies these values to its own.
 *
 * @param grpc whether this is OTLP over gRPC
 * @param endpoint the URL the SDK's exporter is given: for HTTP the full URL with the signal's path, for gRPC
 *     {@code http://host:port} (insecure) or {@code https://host:port}
 * @param headers sent with every export
 * @param caPem the trusted CA in PEM, or null for the JVM's trust store
 * @param clientKeyPem the client's private key in PEM (mutual TLS), or null
 * @param clientCertPem the client's certificate in PEM, or null
 * @param trustAll an SSL context that accepts any certificate ({@code insecureSkipVerify}), or null
 * @param key the configuration key this target comes from ({@code tracing.otlp.grpc}), for errors
 */
public record OtlpTarget(boolean grpc, String endpoint, Map<String, String> headers, byte[] caPem,
        byte[] clientKeyPem, byte[] clientCertPem, SSLContext trustAll, String key) {

    /**
     * The target of a signal. gRPC wins when both are set, as in Traefik; with neither, HTTP with its defaults.
     *
     * @param signalPath the OTLP path of the signal over HTTP ({@code /v1/traces}), used when the endpoint has none
     * @param where the configuration key, for errors ({@code tracing.otlp})
     */
    public static OtlpTarget of(OtlpHttpConfig http, OtlpGrpcConfig grpc, String signalPath, String where)
            throws ConfigurationException {
        if (grpc != null) {
            String scheme = grpc.insecureOrDefault() ? "http" : "https";
            return withTls(true, scheme + "://" + grpc.endpointOrDefault(), grpc.headers(), grpc.tls(), where + ".grpc");
        }
        OtlpHttpConfig config = http != null ? http : new OtlpHttpConfig(null, null, null);
        String endpoint = config.endpointOrDefault();
        // Traefik's exporters keep a path that is given and add the signal's standard one otherwise.
        String path = URI.create(endpoint).getRawPath();
        if (path == null || path.isEmpty()) {
            endpoint = endpoint + signalPath;
        }
        return withTls(false, endpoint, config.headers(), config.tls(), where + ".http");
    }

    private static OtlpTarget withTls(boolean grpc, String endpoint, Map<String, String> headers, OtlpClientTlsConfig tls,
            String where) throws ConfigurationException {
        if (tls == null) {
            return new OtlpTarget(grpc, endpoint, headers, null, null, null, null, where);
        }
        byte[] ca = read(tls.ca(), where + ".tls.ca");
        byte[] cert = read(tls.cert(), where + ".tls.cert");
        byte[] key = read(tls.key(), where + ".tls.key");
        return new OtlpTarget(grpc, endpoint, headers, ca, key, cert,
                tls.insecureSkipVerifyOrDefault() ? trustAllContext() : null, where);
    }

    /**
     * A PEM file, or the PEM text itself: as Traefik's {@code ClientTLS}, {@code ca}, {@code cert} and {@code key}
     * take either. A relative path is read from the working directory, as Traefik reads it.
     */
    private static byte[] read(String file, String key) throws ConfigurationException {
        if (file == null || file.isBlank()) {
            return null;
        }
        if (file.contains("-----BEGIN")) {
            return file.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
            throw new ConfigurationException(key + ": cannot read '" + file + "' (" + reason
                    + "); give the path of a PEM file, or the PEM text itself");
        }
    }

    /**
     * The trust manager of {@link #trustAll}: accepts every certificate and, being extended, checks no host name
     * (Jetty's, which its clients use for {@code trustAll}).
     */
    public static final X509TrustManager TRUST_ALL = (X509TrustManager) SslContextFactory.TRUST_ALL_CERTS[0];

    private static SSLContext trustAllContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, SslContextFactory.TRUST_ALL_CERTS, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }
}
