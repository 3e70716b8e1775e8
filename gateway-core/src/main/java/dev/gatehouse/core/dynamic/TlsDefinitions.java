package dev.gatehouse.core.dynamic;

import dev.gatehouse.core.config.dynamic.CertificateConfig;
import dev.gatehouse.core.config.dynamic.GeneratedCertConfig;
import dev.gatehouse.core.config.dynamic.TlsOptionsConfig;
import java.util.List;
import java.util.Map;

/**
 * The {@code tls} sections of every provider, merged: certificates in provider order, option sets by qualified
 * name ({@code modern@file}; {@code default} stays unqualified, as Traefik's one default), and the default
 * certificate of the {@code default} store.
 *
 * @param certificates {@code tls.certificates}
 * @param options {@code tls.options}
 * @param defaultCertificate {@code tls.stores.default.defaultCertificate}, or null
 * @param defaultGeneratedCert {@code tls.stores.default.defaultGeneratedCert}, or null (also when
 *        {@code defaultCertificate} is given, which takes precedence as in Traefik)
 */
public record TlsDefinitions(List<Defined<CertificateConfig>> certificates,
        Map<String, Defined<TlsOptionsConfig>> options, Defined<CertificateConfig> defaultCertificate,
        Defined<GeneratedCertConfig> defaultGeneratedCert) {

    public static final TlsDefinitions EMPTY = new TlsDefinitions(List.of(), Map.of(), null, null);

    public TlsDefinitions(List<Defined<CertificateConfig>> certificates, Map<String, Defined<TlsOptionsConfig>> options,
            Defined<CertificateConfig> defaultCertificate) {
        this(certificates, options, defaultCertificate, null);
    }

    public TlsDefinitions {
        certificates = List.copyOf(certificates);
        options = Map.copyOf(options);
    }
}
