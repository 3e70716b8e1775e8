package dev.gatehouse.api;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;

/**
 * Facts about the running gateway that an extension may need. Ask for it in the extension's
 * constructor ({@code @Inject}); the gateway supplies it.
 *
 * <pre>{@code
 * @Extension
 * public final class FileProvider implements Provider<FileProvider.Config> {
 *     private final GatewayEnvironment environment;
 *
 *     @Inject
 *     public FileProvider(GatewayEnvironment environment) { this.environment = environment; }
 *     ...
 *         Path file = environment.resolve(config.filename());
 * }
 * }</pre>
 */
public interface GatewayEnvironment {

    /** The gateway's version, as {@code gatehouse version} prints it. */
    String version();

    /** The installation folder (the one holding {@code bin/}, {@code lib/} and {@code plugins/}). */
    Path home();

    /**
     * Resolves a path from configuration the way the gateway resolves its own: absolute paths as they
     * are; relative ones against the folder of the static configuration file, or the working directory
     * when there is no file.
     */
    Path resolve(String path);

    /**
     * A client certificate for TLS to another server (mutual TLS), read as the gateway reads its own
     * {@code certFile}/{@code keyFile}: each the PEM text itself or a path ({@link #resolve resolved}); the key
     * PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}), unencrypted.
     *
     * @param cert the certificate chain, leaf first
     * @param key its private key
     * @return key managers offering that certificate, for {@code SSLContext.init}
     * @throws IOException when a file cannot be read; GeneralSecurityException when its content is not that
     */
    default KeyManager[] clientCertificate(String cert, String key) throws IOException, GeneralSecurityException {
        throw new UnsupportedOperationException("this gateway does not read client certificates for extensions");
    }
}
