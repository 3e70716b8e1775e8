package dev.gatehouse.plugins.kv;

import dev.gatehouse.api.GatewayEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;

/**
 * {@code tls} of a client of a store (etcd, Redis), with Traefik's names ({@code types.ClientTLS}): each of
 * {@code ca}, {@code cert} and {@code key} is a PEM file's path or the PEM text itself, as in Traefik.
 *
 * <pre>{@code
 * tls:
 *   ca: /etc/gatehouse/store-ca.pem
 *   cert: /etc/gatehouse/store-client.pem
 *   key: /etc/gatehouse/store-client-key.pem
 * }</pre>
 *
 * @param ca the certificate authority that signed the server's certificate; absent means the JVM's trust store
 * @param cert the client certificate (with {@code key}) when the server asks for one
 * @param key the client certificate's private key (PKCS#8, PKCS#1 or SEC1, unencrypted)
 * @param insecureSkipVerify accept any server certificate (testing only)
 */
public record ClientTls(String ca, String cert, String key, Boolean insecureSkipVerify) {

    public ClientTls {
        ca = blankToNull(ca);
        cert = blankToNull(cert);
        key = blankToNull(key);
        insecureSkipVerify = insecureSkipVerify != null && insecureSkipVerify;
    }

    /** {@code value}, or null when it is absent or blank. */
    public static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * The files (or PEM texts) read, for the client library's TLS setup.
     *
     * @param prefix how messages name these options, e.g. {@code providers.etcd}
     * @throws IllegalArgumentException when something cannot be read, with a message naming the option
     */
    public Material load(GatewayEnvironment environment, String prefix) {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(prefix + ".tls: set both cert and key, or neither");
        }
        KeyManager keyManager = null;
        if (cert != null) {
            try {
                KeyManager[] managers = environment.clientCertificate(cert, key);
                keyManager = managers.length == 0 ? null : managers[0];
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException(prefix + ".tls: cannot read cert and key: " + e.getMessage(), e);
            }
        }
        byte[] caPem = ca == null ? null : pem(ca, environment, prefix + ".tls.ca");
        return new Material(caPem, keyManager, insecureSkipVerify);
    }

    /** A PEM option: the path of a file or, as Traefik allows, the PEM text itself. */
    static byte[] pem(String option, GatewayEnvironment environment, String name) {
        if (option.contains("-----BEGIN")) {
            return option.getBytes(StandardCharsets.US_ASCII);
        }
        Path path = environment.resolve(option);
        try (InputStream in = Files.newInputStream(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": cannot read " + path + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * {@link ClientTls} read: what a client library's TLS context takes.
     *
     * @param caPem the CA certificates to trust, PEM; null means the JVM's trust store
     * @param keyManager the client certificate and key; null when none is given
     * @param insecureSkipVerify trust any server certificate
     */
    public record Material(byte[] caPem, KeyManager keyManager, boolean insecureSkipVerify) {
    }
}
