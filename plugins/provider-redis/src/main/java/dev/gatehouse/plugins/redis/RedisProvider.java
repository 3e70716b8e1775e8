package dev.gatehouse.plugins.redis;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.ProviderContext;
import dev.gatehouse.plugins.kv.KvProviderLoop;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Traefik's Redis provider: routers, services and middlewares from the keys under {@code rootKey}, in Traefik's KV
 * layout ({@code traefik/http/routers/app/rule}), followed live through Redis keyspace notifications.
 *
 * <p>Options that cannot work (a malformed endpoint, unreadable TLS files, a Sentinel without masterName) and a Redis
 * that answers but sends no keyspace notifications stop the provider at start with a message saying what to set; a
 * Redis that does not answer does not: the provider reports itself unavailable and keeps trying, and the gateway
 * serves what it read last.
 */
@Extension
public final class RedisProvider implements Provider<RedisProviderConfig> {

    private final GatewayEnvironment environment;

    @Inject
    public RedisProvider(GatewayEnvironment environment) {
        this.environment = requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Class<RedisProviderConfig> configType() {
        return RedisProviderConfig.class;
    }

    @Override
    public Running start(RedisProviderConfig config, ProviderContext context) {
        requireNonNull(config, "config");
        requireNonNull(context, "context");
        RedisConnection connection = RedisConnection.open(config.clientOptions(), environment);
        RedisKeyValueStore store = new RedisKeyValueStore(connection);
        try {
            store.checkAtStart();
        } catch (RuntimeException e) {
            store.close();
            connection.close();
            throw e;
        }
        KvProviderLoop loop = new KvProviderLoop(name(), config.rootKey(), store, context);
        loop.start();
        return () -> {
            try {
                loop.close();
            } finally {
                store.close();
                connection.close();
            }
        };
    }
}
