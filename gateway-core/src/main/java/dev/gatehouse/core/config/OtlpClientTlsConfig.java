package dev.gatehouse.core.config;

/**
 * {@code tls} of an OTLP exporter ({@code tracing.otlp.http.tls}, {@code log.otlp.grpc.tls}, ...): how the gateway
 * trusts the collector and proves itself to it, as Traefik's {@code ClientTLS}. Relative paths are read from the
 * working directory, as Traefik does.
 *
 * @param ca PEM file (or PEM text) of the certificate authority that signed the collector's certificate; the JVM's trust store
 *     when absent
 * @param cert PEM file (or text) of the client certificate shown to the collector (mutual TLS); needs {@code key}
 * @param key PEM file (or text) of the private key of {@code cert} (PKCS#8)
 * @param insecureSkipVerify accept any certificate from the collector (default false)
 */
public record OtlpClientTlsConfig(String ca, String cert, String key, Boolean insecureSkipVerify) {

    public OtlpClientTlsConfig {
        boolean hasCert = cert != null && !cert.isBlank();
        boolean hasKey = key != null && !key.isBlank();
        if (hasCert != hasKey) {
            throw new InvalidValueException(hasCert ? "key" : "cert",
                    "tls.cert and tls.key go together: set both (a client certificate and its private key) or neither");
        }
    }

    public boolean insecureSkipVerifyOrDefault() {
        return insecureSkipVerify != null && insecureSkipVerify;
    }
}
