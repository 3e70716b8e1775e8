package dev.gatehouse.plugins.redis.storage;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.plugins.redis.RedisConnection;
import jakarta.inject.Inject;
import java.util.Objects;
import org.pf4j.Extension;

/** {@code storage.redis}: certificates, ACME account and challenges shared by every gateway through Redis. */
@Extension
public final class RedisStorageBackend implements StorageBackend<RedisStorageConfig> {

    private final GatewayEnvironment environment;

    @Inject
    public RedisStorageBackend(GatewayEnvironment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Class<RedisStorageConfig> configType() {
        return RedisStorageConfig.class;
    }

    @Override
    public Connected connect(RedisStorageConfig config) {
        return new RedisStorage(RedisConnection.open(config.clientOptions(), environment), config.rootKey());
    }
}
