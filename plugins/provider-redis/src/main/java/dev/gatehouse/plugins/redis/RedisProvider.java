package dev.gatehouse.plugins.redis;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.ProviderContext;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Traefik's Redis provider: routers, services and middlewares from the keys under {@code rootKey}, in Traefik's KV
 * layout ({@code traefik/http/routers/app/rule}), followed live through Redis keyspace notifications.
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
        connection.close();
        throw new IllegalStateException("providers.redis: not available yet in this build");
    }
}
