package dev.gatehouse.plugins.redis;

/**
 * {@code tls} of a Redis client, with Traefik's names ({@code types.ClientTLS}): each of {@code ca}, {@code cert} and
 * {@code key} is a PEM file's path or the PEM text itself, as in Traefik.
 *
 * <pre>{@code
 * tls:
 *   ca: /etc/gatehouse/redis-ca.pem
 *   cert: /etc/gatehouse/redis-client.pem
 *   key: /etc/gatehouse/redis-client-key.pem
 * }</pre>
 *
 * @param ca the certificate authority that signed the Redis server's certificate; absent means the JVM's trust store
 * @param cert the client certificate (with {@code key}) when Redis asks for one ({@code tls-auth-clients})
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

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
