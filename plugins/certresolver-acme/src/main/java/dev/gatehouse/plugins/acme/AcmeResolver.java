package dev.gatehouse.plugins.acme;

import dev.gatehouse.api.CertResolver;
import dev.gatehouse.api.CertResolverContext;
import dev.gatehouse.api.Storages;
import dev.gatehouse.plugins.acme.dns.DnsProvider;
import dev.gatehouse.plugins.acme.dns.DnsProviders;
import dev.gatehouse.plugins.acme.dns.LegoEnvironment;
import dev.gatehouse.plugins.acme.dns.PropagationCheck;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Objects;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code acme} certificate resolver type: obtains certificates from an ACME CA (Let's Encrypt, or any
 * RFC 8555 server) with acme4j, over HTTP-01, TLS-ALPN-01 or DNS-01, keeps them in the configured storage and renews
 * them when a third of their lifetime is left.
 */
@Extension
public final class AcmeResolver implements CertResolver<AcmeConfig> {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeResolver.class);
    /** How long one DNS query of the propagation check waits for an answer. */
    private static final Duration DNS_QUERY_TIMEOUT = Duration.ofSeconds(5);

    private final Storages storages;

    @Inject
    public AcmeResolver(Storages storages) {
        this.storages = Objects.requireNonNull(storages, "storages");
    }

    @Override
    public String name() {
        return "acme";
    }

    @Override
    public Class<AcmeConfig> configType() {
        return AcmeConfig.class;
    }

    @Override
    public Running start(AcmeConfig config, CertResolverContext context) throws Exception {
        String resolverName = context.resolverName();
        if (config.httpChallengeEntryPoint() == null && !config.tlsChallengeEnabled() && config.dnsChallenge() == null) {
            throw new IllegalArgumentException("certificatesResolvers." + resolverName
                    + ".acme needs a challenge: httpChallenge.entryPoint, tlsChallenge or dnsChallenge");
        }
        Keys.generate(config.keyTypeOrDefault());   // checks keyType now rather than at the first order
        try {
            CaServerTrust.sslContext(config);   // and caCertificates: a file missing or not PEM stops the start
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("certificatesResolvers." + resolverName + ".acme." + e.getMessage());
        }
        DnsChallengeSolver dns = config.dnsChallenge() == null ? null
                : dnsSolver(resolverName, config.dnsChallenge(), LegoEnvironment.system());
        AcmeInstance instance = new AcmeInstance(resolverName, config, storages.open(config.storageOrDefault()), context, dns);
        instance.start();
        return instance;
    }

    /** The provider (configured from lego's environment variables now, so a missing one stops the start) and checks. */
    static DnsChallengeSolver dnsSolver(String resolverName, AcmeConfig.DnsChallenge challenge, LegoEnvironment env) {
        String path = "certificatesResolvers." + resolverName + ".acme.dnsChallenge";
        for (String deprecated : challenge.deprecatedKeys()) {
            LOG.warn("{}.{} is deprecated in Traefik v3; it is applied as Traefik applies it", path, deprecated);
        }
        DnsProvider provider;
        try {
            provider = DnsProviders.create(challenge.provider(), env);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ".provider " + challenge.provider() + ": " + e.getMessage());
        }
        boolean followCnames = !env.flag("LEGO_DISABLE_CNAME_SUPPORT");
        return new DnsChallengeSolver(resolverName, challenge.provider(), provider,
                new PropagationCheck(challenge.propagationSettings(), DNS_QUERY_TIMEOUT), followCnames);
    }
}
