package dev.gatehouse.api;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * Where a {@link CertResolver} delivers certificates. The gateway serves a delivered certificate to
 * new TLS handshakes at once, without a restart and without touching open connections.
 *
 * <pre>{@code
 * public void request(Set<String> domains) {
 *     client.order(domains).whenComplete((certificate, failure) -> {
 *         if (failure != null) {
 *             sink.failed(domains, failure);
 *         } else {
 *             sink.issued(domains, certificate.key(), certificate.chain());
 *         }
 *     });
 * }
 * }</pre>
 */
public interface CertificateSink {

    /**
     * A certificate was issued, renewed, or read from storage.
     *
     * @param domains the domains it was requested for
     * @param key its private key
     * @param chain the leaf certificate first, then the intermediates
     */
    void issued(Set<String> domains, PrivateKey key, List<X509Certificate> chain);

    /**
     * Obtaining a certificate for {@code domains} failed; the gateway logs it (with the domains and the cause,
     * which should carry the CA's error) and goes on serving the previous or the default certificate.
     */
    void failed(Set<String> domains, Throwable cause);

    /**
     * Answers ACME TLS-ALPN-01 validations of {@code domain} (handshakes offering only {@code acme-tls/1}) with
     * the RFC 8737 certificate, which the gateway makes, until {@link #tlsAlpnChallengeDone} is called.
     *
     * @param acmeValidation the SHA-256 digest of the challenge's key authorization
     */
    void tlsAlpnChallenge(String domain, byte[] acmeValidation);

    void tlsAlpnChallengeDone(String domain);
}
