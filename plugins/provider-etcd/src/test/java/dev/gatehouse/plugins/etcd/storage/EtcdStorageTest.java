package dev.gatehouse.plugins.etcd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.it.EtcdServer;
import dev.gatehouse.plugins.etcd.EtcdConnection;
import dev.gatehouse.testkit.StorageContract;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared storage on a real etcd: the contract every backend keeps, and where its keys and locks live. */
class EtcdStorageTest extends StorageContract {

    @TempDir
    static Path dir;
    private static EtcdServer etcd;
    private final Map<StorageBackend.Connected, EtcdConnection> connections = new IdentityHashMap<>();

    static final GatewayEnvironment ENVIRONMENT = new GatewayEnvironment() {
        @Override
        public String version() {
            return "test";
        }

        @Override
        public Path home() {
            return dir;
        }

        @Override
        public Path resolve(String path) {
            return dir.resolve(path);
        }
    };

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdServer.in(dir.resolve("etcd")).start();
    }

    @AfterAll
    static void stopEtcd() throws InterruptedException {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    protected StorageBackend.Connected connect() {
        EtcdStorageConfig config = new EtcdStorageConfig(List.of(etcd.address()), "gatehouse-test", null, null, null);
        EtcdConnection connection = EtcdConnection.open(config.clientOptions(), ENVIRONMENT);
        EtcdStorage storage = new EtcdStorage(connection, config.rootKey());
        connections.put(storage, connection);
        return storage;
    }

    @Override
    protected void crash(StorageBackend.Connected store) {
        connections.get(store).close();   // the lease's keep-alive stops with the connection, as with a killed process
    }

    @Test
    void entriesAndLocksAreKeysBelowTheRootKey() throws Exception {
        try (StorageBackend.Connected storage = new EtcdStorageBackend(ENVIRONMENT)
                .connect(new EtcdStorageConfig(List.of(etcd.address()), "shared", null, null, null))) {
            storage.put("acme/le/account/url", "https://ca/acct/1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("https://ca/acct/1", etcd.get("shared/acme/le/account/url"));
            try (var lock = storage.tryLock("acme/le/order/a.example.test", LOCK_TTL).orElseThrow()) {
                assertNotNull(etcd.get("shared/locks/acme/le/order/a.example.test"));
            }
        }
    }
}
