package dev.gatehouse.core.config.dynamic;

/**
 * {@code tls.stores.default.defaultGeneratedCert}: the default certificate (served when no other certificate matches
 * the SNI) obtained from a certificate resolver instead of generated.
 *
 * <pre>{@code
 * tls:
 *   stores:
 *     default:
 *       defaultGeneratedCert:
 *         resolver: myresolver
 *         domain: { main: example.org, sans: [foo.example.org] }
 * }</pre>
 *
 * @param resolver the certificate resolver that obtains it (a {@code certificatesResolvers} name)
 * @param domain its domains
 */
public record GeneratedCertConfig(String resolver, DomainConfig domain) {
}
