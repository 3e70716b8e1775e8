package dev.gatehouse.api.config;

/**
 * {@code tls.stores.<name>}.
 *
 * @param defaultCertificate served when no certificate matches the SNI
 */
public record TlsStoreConfig(CertificateConfig defaultCertificate) {
}
