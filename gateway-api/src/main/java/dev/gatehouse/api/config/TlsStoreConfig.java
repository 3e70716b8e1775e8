package dev.gatehouse.api.config;

/**
 * {@code tls.stores.<name>}.
 *
 * <pre>{@code
 * tls:
 *   stores:
 *     default:
 *       defaultCertificate: { certFile: default.crt, keyFile: default.key }
 * }</pre>
 *
 * @param defaultCertificate served when no certificate matches the SNI
 */
public record TlsStoreConfig(CertificateConfig defaultCertificate) {
}
