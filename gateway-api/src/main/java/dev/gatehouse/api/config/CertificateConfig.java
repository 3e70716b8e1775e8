package dev.gatehouse.api.config;

import java.util.List;

/**
 * A certificate and its key, PEM files.
 *
 * @param certFile the certificate chain
 * @param keyFile the private key
 * @param stores the stores it belongs to (default: {@code default})
 */
public record CertificateConfig(String certFile, String keyFile, List<String> stores) {

    public CertificateConfig {
        stores = Immutables.list(stores);
    }
}
