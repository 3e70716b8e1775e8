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
 *     public Running start(Config config, CertResolverContext context) {
 *         return new Running() {
 *             public void request(Set<String> domains) {
 *                 context.issued(domains, readKey(config, domains), readChain(config, domains));
 *             }
 *             public void close() { }
 *         };
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
 * <p>A resolver that answers HTTP-01 challenges also implements {@link ChallengeResponder} on its {@link Running}
 * handle; TLS-ALPN-01 challenge certificates go through {@link CertificateSink#tlsAlpnChallenge}.
 *
 * <p>Started and stopped as a {@link Provider} is: {@code start(config, context)} returns a handle, and closing the
 * handle stops it.
 *
 * @param <C> the options type
 */
public interface CertResolver<C> extends ConfigurableExtension<C> {

    /**
     * Starts one configured resolver: loads what it stored before (and delivers it to the context at once, so that
     * a restart serves stored certificates without ordering), and renews on its own schedule. Must not block for
     * long: order and renew on threads of the resolver's own, stopped in {@link Running#close()}.
     *
     * @param config the bound options
     * @param context the resolver's name ({@code le} above) and where certificates go as they are issued or renewed
     * @return a handle that takes the routers' requests and stops the resolver
     * @throws Exception when the resolver cannot start at all (options that cannot work, storage that cannot be
     *     read); the gateway reports it with the resolver's name and serves its routers the default certificate
     */
    Running start(C config, CertResolverContext context) throws Exception;

    /** A started resolver. Closing it stops ordering and renewing and releases what it holds; it may be called once. */
    interface Running extends AutoCloseable {

        /**
         * Asks for a certificate covering {@code domains} (the first is the main domain). Returns at
         * once; the certificate reaches the {@link CertificateSink} when issued. The gateway calls it on every
         * configuration for every domain set routers need: asking again for domains that have a valid
         * certificate, or whose order is under way, must not start another order.
         */
        void request(Set<String> domains);

        @Override
        void close() throws Exception;
    }
}
