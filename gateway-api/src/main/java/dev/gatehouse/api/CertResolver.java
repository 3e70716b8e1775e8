package dev.gatehouse.api;

import java.util.Set;

/**
 * A certificate resolver type, such as {@code acme}: obtains and renews certificates for the domains
 * that routers ask for.
 *
 * <p>Each {@code certificatesResolvers.<name>} entry of the static configuration names one type and
 * gives its options, which are bound to {@link #configType()}:
 *
 * <pre>{@code
 * certificatesResolvers:
 *   le:                       # the resolver's name, used by routers: tls.certResolver: le
 *     acme:                   # name() == "acme"
 *       email: ops@example.com
 *       storage: acme.json
 * }</pre>
 *
 * <pre>{@code
 * @Extension
 * public final class FileResolver implements CertResolver<FileResolver.Config> {
 *     public record Config(String folder) {}
 *     public String name() { return "folder"; }
 *     public Class<Config> configType() { return Config.class; }
 *     public Instance start(String resolverName, Config config, CertificateSink sink) {
 *         return domains -> sink.issued(domains, readKey(config, domains), readChain(config, domains));
 *     }
 * }
 * }</pre>
 *
 * <p>Extensions get what they need by constructor injection, for example {@link Storages} to keep state:
 *
 * <pre>{@code
 * @Inject
 * public AcmeResolver(Storages storages) { ... }
 * }</pre>
 *
 * <p>A resolver that answers HTTP-01 challenges also implements {@link ChallengeResponder} on its instance;
 * TLS-ALPN-01 challenge certificates go through {@link CertificateSink#tlsAlpnChallenge}.
 *
 * @param <C> the options type
 */
public interface CertResolver<C> extends ConfigurableExtension<C> {

    /**
     * Starts one configured resolver: loads what it stored before (and delivers it to the sink at once, so that
     * a restart serves stored certificates without ordering), and renews on its own schedule.
     *
     * @param resolverName the name routers use ({@code le} above)
     * @param config the bound options
     * @param sink where certificates go as they are issued or renewed
     */
    Instance start(String resolverName, C config, CertificateSink sink) throws Exception;

    /** A running resolver. */
    @FunctionalInterface
    interface Instance extends AutoCloseable {

        /**
         * Asks for a certificate covering {@code domains} (the first is the main domain). Returns at
         * once; the certificate reaches the {@link CertificateSink} when issued. The gateway calls it on every
         * configuration for every domain set routers need: asking again for domains that have a valid
         * certificate, or whose order is under way, must not start another order.
         */
        void request(Set<String> domains);

        @Override
        default void close() throws Exception {
        }
    }
}
