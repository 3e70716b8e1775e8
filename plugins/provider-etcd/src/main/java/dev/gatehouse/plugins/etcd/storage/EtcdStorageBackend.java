package dev.gatehouse.plugins.etcd.storage;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.plugins.etcd.EtcdConnection;
import jakarta.inject.Inject;
import java.util.Objects;
import org.pf4j.Extension;

/** {@code storage.etcd}: certificates, ACME account and challenges shared by every gateway through etcd. */
@Extension
public final class EtcdStorageBackend implements StorageBackend<EtcdStorageConfig> {

    private final GatewayEnvironment environment;

    @Inject
    public EtcdStorageBackend(GatewayEnvironment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public Class<EtcdStorageConfig> configType() {
        return EtcdStorageConfig.class;
    }

    @Override
    public Connected connect(EtcdStorageConfig config) {
        return new EtcdStorage(EtcdConnection.open(config.clientOptions(), environment), config.rootKey());
    }
}
