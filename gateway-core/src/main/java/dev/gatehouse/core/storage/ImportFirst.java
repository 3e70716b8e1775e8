package dev.gatehouse.core.storage;

import dev.gatehouse.api.StorageBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared store as a location whose file ({@code acme.json}) is still to be imported sees it: the import is done
 * before the first use, and tried again before each use until it is done. So opening the location never waits for
 * the store: while the store does not answer, the import fails like any other call (the resolver starts, and tries
 * its storage again as it does for any storage error), and the first call once the store is back imports the file
 * before anything is read or ordered (an order first would register a second account, and the file, finding the
 * store holding an account, would then never be imported).
 */
final class ImportFirst implements StorageBackend.Connected {

    private static final Logger LOG = LoggerFactory.getLogger(ImportFirst.class);

    private final Path file;
    private final StorageBackend.Connected shared;
    private final Clock clock;
    private boolean imported;
    private boolean failedBefore;

    ImportFirst(Path file, StorageBackend.Connected shared, Clock clock) {
        this.file = file;
        this.shared = shared;
        this.clock = clock;
    }

    private synchronized void importFirst() throws IOException {
        if (imported) {
            return;
        }
        try {
            FileImport.importInto(file, shared, clock);
            imported = true;
        } catch (IOException e) {
            // Once at WARN per outage-long wait, not once per retry of every caller.
            if (!failedBefore) {
                LOG.warn("Storage: cannot import {} into the shared store now: {}; it is imported before the store is "
                        + "first used once it answers", file, e.getMessage());
                failedBefore = true;
            } else {
                LOG.debug("Storage: cannot import {} into the shared store yet: {}", file, e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public Optional<byte[]> get(String key) throws IOException {
        importFirst();
        return shared.get(key);
    }

    @Override
    public void put(String key, byte[] value) throws IOException {
        importFirst();
        shared.put(key, value);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        importFirst();
        return shared.list(prefix);
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) throws IOException {
        importFirst();
        shared.put(key, value, ttl);
    }

    @Override
    public void delete(String key) throws IOException {
        importFirst();
        shared.delete(key);
    }

    @Override
    public Optional<Lock> tryLock(String name, Duration ttl) throws IOException {
        importFirst();
        return shared.tryLock(name, ttl);
    }

    @Override
    public void putSecret(String key, byte[] value) throws IOException {
        importFirst();
        shared.putSecret(key, value);
    }

    @Override
    public Optional<byte[]> getSecret(String key) throws IOException {
        importFirst();
        return shared.getSecret(key);
    }

    @Override
    public Optional<Watch> watch(String prefix, WatchListener listener) throws IOException {
        importFirst();
        return shared.watch(prefix, listener);
    }

    /** Nothing: the shared store is the gateway's, closed with {@link GatewayStorages}. */
    @Override
    public void close() {
    }
}
