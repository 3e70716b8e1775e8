package dev.gatehouse.plugins.middlewares.internal;

import dev.gatehouse.api.GatewayEnvironment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client side of Traefik's {@code tls} options for a connection a middleware opens ({@code forwardAuth}'s
 * authentication service, {@code rateLimit}'s Redis): {@code ca} (CA certificates to trust instead of the system's,
 * a PEM file or the PEM text itself), {@code cert}/{@code key} (a client certificate, PEM file or text, given both or neither) and
 * {@code insecureSkipVerify} (any server certificate accepted), read once when the middleware is created.
 *
 * @param keyManagers the client certificate to present; null when none
 * @param trustManagers the server certificates to accept; null for the system's CAs
 * @param insecureSkipVerify whether any certificate for any name is accepted ({@code trustManagers} then trusts all)
 */
public record ClientTls(KeyManager[] keyManagers, TrustManager[] trustManagers, boolean insecureSkipVerify) {

    /**
     * Whether a client certificate is given.
     *
     * @throws IllegalArgumentException naming the options when {@code cert} or {@code key} comes alone
     */
    public static boolean checkPair(String option, String cert, String key) {
        boolean hasCert = cert != null && !cert.isBlank();
        boolean hasKey = key != null && !key.isBlank();
        if (hasCert != hasKey) {
            throw new IllegalArgumentException("'" + option + ".cert' and '" + option + ".key' go together: give both"
                    + " (the client certificate and its private key) or neither");
        }
        return hasCert;
    }

    /**
     * Reads the options, each path resolved as the gateway resolves its own.
     *
     * @param option how the configuration names the options, for errors ({@code tls}, {@code redis.tls})
     * @throws IllegalArgumentException naming the option when a file cannot be read or {@code cert}/{@code key} come
     *     alone
     */
    public static ClientTls of(GatewayEnvironment environment, String option, String ca, String cert, String key,
            boolean insecureSkipVerify) throws GeneralSecurityException {
        boolean hasCert = checkPair(option, cert, key);
        KeyManager[] clientCertificate = null;
        if (hasCert) {
            try {
                clientCertificate = environment.clientCertificate(cert, key);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("'" + option + ".cert'/'" + option + ".key': cannot read the client"
                        + " certificate: " + e.getMessage());
            }
        }
        if (insecureSkipVerify) {
            return new ClientTls(clientCertificate, new TrustManager[] {new TrustAll()}, true);
        }
        if (ca == null || ca.isEmpty()) {
            return new ClientTls(clientCertificate, null, false);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);   // an empty in-memory store reads nothing
        }
        // As Traefik's ClientTLS: the PEM text itself, or a file.
        boolean inline = ca.contains("-----BEGIN");
        try (InputStream in = inline ? new ByteArrayInputStream(ca.getBytes(StandardCharsets.US_ASCII))
                : Files.newInputStream(environment.resolve(ca))) {
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + i++, certificate);
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("'" + option + ".ca': cannot read certificates from "
                    + (inline ? "the PEM text given" : ca) + ": " + e.getMessage());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        return new ClientTls(clientCertificate, trust.getTrustManagers(), false);
    }

    /** {@code insecureSkipVerify}: any certificate is accepted, as the option says. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
