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

    /**
     * A counter of this extension's, exported with the gateway's metrics by every configured backend: as
     * {@code <prefix>_<name>_total} in the Prometheus scrape (the prefix of {@code metrics.prometheus}, {@code traefik}
     * by default), {@code traefik_<name>_total} over OTLP, {@code <prefix>.<name with dots>.total} to StatsD and
     * Datadog, {@code traefik.<name with dots>.total} to InfluxDB 2 (field {@code count}). Asking again with the same
     * name and label names (a middleware created again on a reload, another extension of the same plugin) gives the
     * same counter; another plugin asking for a name already taken is refused, so start the name with your plugin's
     * own word.
     *
     * <pre>{@code
     * @Inject
     * public MyMiddleware(GatewayEnvironment environment) {
     *     this.refused = environment.counter("myplugin_refused", "Requests my middleware refused", "middleware");
     * }
     * ...
     *     refused.increment(context.middlewareName());
     * }</pre>
     *
     * @param name lower-case words joined by {@code _} ({@code [a-z][a-z0-9]*}, such as {@code myplugin_refused}), at
     *     most 100 characters, without the {@code _total} the backends add, and not starting with a word of the
     *     gateway's own metrics ({@code entrypoint_}, {@code router_}, {@code service_}, {@code config_},
     *     {@code open_connections}, {@code tls_}, {@code provider_}, {@code plugin_})
     * @param help what it counts, in a sentence (the Prometheus {@code # HELP} line)
     * @param labelNames at most ten, each {@code [a-z_][a-z0-9_]*} and not starting with {@code __}, none twice
     * @return the counter; {@link Counter#NONE} on a gateway older than API 0.2.2
     * @throws IllegalArgumentException naming the counter when the name or a label name is not valid, or the name is
     *     already registered by another plugin or with other label names
     * @since API 0.2.2
     */
    default Counter counter(String name, String help, String... labelNames) {
        return Counter.NONE;
    }
}
