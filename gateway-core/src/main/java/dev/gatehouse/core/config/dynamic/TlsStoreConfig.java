package dev.gatehouse.core.config.dynamic;

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
 * @param defaultGeneratedCert the default certificate obtained from a certificate resolver instead (when
 *        {@code defaultCertificate} is not given)
 */
public record TlsStoreConfig(CertificateConfig defaultCertificate, GeneratedCertConfig defaultGeneratedCert) {

    /** A store with only a default certificate (kept for plugins built against earlier versions). */
    public TlsStoreConfig(CertificateConfig defaultCertificate) {
        this(defaultCertificate, null);
    }
}
