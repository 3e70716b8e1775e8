package dev.gatehouse.api;

/**
 * Given to a {@link CertResolver} when it starts: which configured resolver it is, and where its certificates go
 * (as a {@link ProviderContext} is where a provider's snapshots go).
 *
 * <pre>{@code
 * public Running start(Config config, CertResolverContext context) {
 *     LOG.info("resolver {} reads {}", context.resolverName(), config.folder());
 *     ...
 *     context.issued(domains, key, chain);
 * }
 * }</pre>
 */
public interface CertResolverContext extends CertificateSink {

    /**
     * The name routers use for this resolver ({@code le} in {@code certificatesResolvers.le.acme}): for messages,
     * and to keep the state of two resolvers of the same type apart.
     */
    String resolverName();
}
