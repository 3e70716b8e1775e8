package dev.gatehouse.plugins.etcd;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.ProviderContext;
import dev.gatehouse.plugins.kv.KvProviderLoop;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Traefik's etcd provider: routers, services and middlewares from the keys under {@code rootKey}, in Traefik's KV
 * layout ({@code traefik/http/routers/app/rule}), followed live through an etcd watch.
 *
 * <p>Options that cannot work (a malformed endpoint, unreadable TLS files) stop the provider at start with a message
 * naming the option; an etcd that does not answer does not: the provider reports itself unavailable and keeps
 * trying, and the gateway serves what it read last.
 */
@Extension
public final class EtcdProvider implements Provider<EtcdProviderConfig> {

    private final GatewayEnvironment environment;

    @Inject
    public EtcdProvider(GatewayEnvironment environment) {
        this.environment = requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public Class<EtcdProviderConfig> configType() {
        return EtcdProviderConfig.class;
    }

    @Override
    public Running start(EtcdProviderConfig config, ProviderContext context) {
        requireNonNull(config, "config");
        requireNonNull(context, "context");
        EtcdClientOptions options = config.clientOptions();
        EtcdKeyValueStore store = new EtcdKeyValueStore(() -> EtcdConnection.open(options, environment));
        KvProviderLoop loop = new KvProviderLoop(name(), config.rootKey(), store, context);
        loop.start();
        return () -> {
            try {
                loop.close();
            } finally {
                store.close();
            }
        };
    }
}
