package dev.gatehouse.core.storage;

import dev.gatehouse.api.Storage;
import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.api.Storages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Storages} extensions get: the storage files ({@link FileStorages}) until the static {@code storage}
 * section connects a shared store ({@link #share}), which the gateway does before any certificate resolver starts;
 * from then on every location opens that store, after importing the location's file once ({@link FileImport}).
 *
 * <p>Bound in Guice before the plugins load (extensions are built with it), and given its shared store after they
 * have loaded, since the store's backend is itself a plugin's extension.
 */
public final class GatewayStorages implements Storages, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayStorages.class);

    private final Function<String, Path> resolve;
    private final FileStorages files;
    /** The locations with a file to import, each opened as the one store that imports it first. */
    private final Map<Path, ImportFirst> importing = new HashMap<>();
    private StorageBackend.Connected shared;

    /** @param resolve turns a configured location into a path (relative to the static configuration file's folder) */
    public GatewayStorages(Function<String, Path> resolve) {
        this.resolve = resolve;
        this.files = new FileStorages(resolve);
    }

    /**
     * From now on, every location opens {@code store}, with secrets encrypted by {@code encryptionKey}.
     *
     * @param encryptionKey 32 bytes, or null to store secrets as they are
     */
    public synchronized void share(StorageBackend.Connected store, byte[] encryptionKey) {
        if (shared != null) {
            throw new IllegalStateException("a shared store is already connected");
        }
        shared = new EncryptedSecrets(store, encryptionKey);
    }

    @Override
    public synchronized Storage open(String location) throws IOException {
        if (shared == null) {
            return files.open(location);
        }
        if (location != null && !location.isBlank()) {
            Path file = resolve.apply(location.strip()).toAbsolutePath().normalize();
            ImportFirst pending = importing.get(file);
            if (pending != null) {
                return pending;
            }
            if (Files.isRegularFile(file)) {
                // Imported at the first use, not here: opening must not wait for a store that does not answer.
                pending = new ImportFirst(file, shared, Clock.systemUTC());
                importing.put(file, pending);
                return pending;
            }
        }
        return shared;
    }

    @Override
    public synchronized void close() {
        if (shared != null) {
            try {
                shared.close();
            } catch (RuntimeException e) {
                LOG.warn("Storage: closing the shared store: {}", e.getMessage());
            }
        }
    }
}
