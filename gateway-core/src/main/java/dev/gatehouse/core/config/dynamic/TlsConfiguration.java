package dev.gatehouse.core.config.dynamic;

import java.util.List;
import java.util.Map;

/**
 * The {@code tls} section of the dynamic configuration.
 *
 * <pre>{@code
 * tls:
 *   certificates: [ { certFile: app.crt, keyFile: app.key } ]
 *   options:      { modern: { minVersion: VersionTLS13 } }
 *   stores:       { default: { defaultCertificate: { certFile: d.crt, keyFile: d.key } } }
 * }</pre>
 *
 * @param certificates certificates to serve, chosen by SNI
 * @param options named TLS option sets that routers refer to ({@code default} applies otherwise)
 * @param stores certificate stores; {@code default} holds the default certificate
 */
public record TlsConfiguration(
        List<CertificateConfig> certificates,
        Map<String, TlsOptionsConfig> options,
        Map<String, TlsStoreConfig> stores) {

    public static final TlsConfiguration EMPTY = new TlsConfiguration(null, null, null);

    public TlsConfiguration {
        certificates = Immutables.list(certificates);
        options = Immutables.map(options);
        stores = Immutables.map(stores);
    }

    public boolean isEmpty() {
        return certificates.isEmpty() && options.isEmpty() && stores.isEmpty();
    }
}
