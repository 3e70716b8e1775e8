package dev.gatehouse.plugins.acme;

import dev.gatehouse.api.CertResolver;
import dev.gatehouse.api.CertificateSink;
import dev.gatehouse.api.Storages;
import jakarta.inject.Inject;
import java.util.Objects;
import org.pf4j.Extension;

/**
 * The {@code acme} certificate resolver type: obtains certificates from an ACME CA (Let's Encrypt, or any
 * RFC 8555 server) with acme4j, over HTTP-01 or TLS-ALPN-01, keeps them in the configured storage and renews
 * them when a third of their lifetime is left.
 */
@Extension
public final class AcmeResolver implements CertResolver<AcmeConfig> {

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
    public Instance start(String resolverName, AcmeConfig config, CertificateSink sink) throws Exception {
        if (config.httpChallengeEntryPoint() == null && !config.tlsChallengeEnabled()) {
            throw new IllegalArgumentException("certificatesResolvers." + resolverName
                    + ".acme needs httpChallenge.entryPoint or tlsChallenge (DNS-01 is not supported yet)");
        }
        Keys.generate(config.keyTypeOrDefault());   // checks keyType now rather than at the first order
        AcmeInstance instance = new AcmeInstance(resolverName, config, storages.open(config.storageOrDefault()), sink);
        instance.start();
        return instance;
    }
}
