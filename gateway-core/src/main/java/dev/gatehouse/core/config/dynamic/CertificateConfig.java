package dev.gatehouse.core.config.dynamic;

import java.util.List;

/**
 * A certificate and its key, PEM files.
 *
 * <pre>{@code
 * tls:
 *   certificates:
 *     - certFile: /certs/example.com.crt
 *       keyFile: /certs/example.com.key
 * }</pre>
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
