package dev.gatehouse.plugins.acme;

import java.util.List;
import java.util.Locale;

/**
 * {@code certificatesResolvers.<name>.acme}, with Traefik's keys.
 *
 * @param email the account's contact address
 * @param caServer the ACME directory URL; Let's Encrypt's production directory by default
 * @param storage where the account and certificates are kept (a file; a relative path is read from the static configuration file's folder)
 * @param keyType the certificates' key: {@code EC256} (default), {@code EC384}, {@code RSA2048}, {@code RSA4096},
 *        {@code RSA8192}
 * @param certificatesDuration the lifetime, in hours, of the certificates the CA issues (2160 by default); the
 *        renewal starts when a third of it is left
 * @param httpChallenge HTTP-01 on an entry point
 * @param tlsChallenge TLS-ALPN-01 when present ({@code tlsChallenge: {}} or {@code true})
 * @param eab external account binding: {@code kid} and {@code hmacEncoded}
 * @param caCertificates PEM files of CAs to trust for the connection to {@code caServer} (beyond the JVM's)
 */
public record AcmeConfig(
        String email,
        String caServer,
        String storage,
        String keyType,
        Integer certificatesDuration,
        HttpChallenge httpChallenge,
        Object tlsChallenge,
        Eab eab,
        List<String> caCertificates) {

    public static final String LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

    public AcmeConfig {
        caCertificates = caCertificates == null ? List.of() : List.copyOf(caCertificates);
    }

    /** {@code httpChallenge.entryPoint}. */
    public record HttpChallenge(String entryPoint) {
    }

    /** {@code eab.kid}, {@code eab.hmacEncoded}. */
    public record Eab(String kid, String hmacEncoded) {
    }

    public String caServerOrDefault() {
        return caServer == null || caServer.isBlank() ? LETS_ENCRYPT : caServer.strip();
    }

    public String storageOrDefault() {
        return storage == null || storage.isBlank() ? "acme.json" : storage.strip();
    }

    public String keyTypeOrDefault() {
        return keyType == null || keyType.isBlank() ? "EC256" : keyType.strip().toUpperCase(Locale.ROOT);
    }

    public int certificatesDurationOrDefault() {
        return certificatesDuration == null ? 2160 : certificatesDuration;
    }

    public boolean tlsChallengeEnabled() {
        return tlsChallenge != null && !Boolean.FALSE.equals(tlsChallenge) && !"false".equals(tlsChallenge);
    }

    public String httpChallengeEntryPoint() {
        return httpChallenge == null || httpChallenge.entryPoint() == null || httpChallenge.entryPoint().isBlank()
                ? null : httpChallenge.entryPoint().strip();
    }
}
