package dev.gatehouse.core.storage;

import dev.gatehouse.api.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a storage file ({@code acme.json}) into a shared store, the first time a gateway with a {@code storage}
 * section opens that location: every entry is copied as it is, then the file is renamed
 * {@code <name>.imported-<time>} so that it is not imported again (and stays as a backup).
 *
 * <p>Nothing is copied when the store already holds any of the file's entries: the first gateway to start brings
 * its account and certificates, and another gateway's file (another account) is left as it is, with a message,
 * rather than mixed in. Two gateways starting at once take turns through a lock.
 */
final class FileImport {

    private static final Logger LOG = LoggerFactory.getLogger(FileImport.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    static final String LOCK = "storage-import";

    private FileImport() {
    }

    /** @return how many entries were copied */
    static int importInto(Path file, Storage shared, Clock clock) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        FileStorage source;
        List<String> keys;
        try {
            source = FileStorage.open(file, clock);
            keys = source.list("");
        } catch (IOException e) {
            // The file's own problem, which retrying does not mend: say so, and go on without it. Only the store's
            // failures are thrown, to be tried again.
            LOG.warn("Storage: {} cannot be read, so it is not imported into the shared store: {}", file, e.getMessage());
            return 0;
        }
        if (keys.isEmpty()) {
            return 0;
        }
        Optional<Storage.Lock> lock = shared.tryLock(LOCK, Duration.ofMinutes(1));
        if (lock.isEmpty()) {
            LOG.info("Storage: {} is not imported now: another gateway is importing its file; it is tried again at the "
                    + "next start", file);
            return 0;
        }
        try (Storage.Lock held = lock.get()) {
            for (String key : keys) {
                if (shared.get(key).isPresent()) {
                    LOG.info("Storage: {} is not imported into the shared store, which already holds its entry {} "
                            + "(imported from another gateway); remove the file once its certificates are no longer "
                            + "needed", file, key);
                    return 0;
                }
            }
            for (String key : keys) {
                shared.put(key, source.get(key).orElseThrow());
            }
        }
        Path imported = file.resolveSibling(file.getFileName() + ".imported-" + STAMP.format(clock.instant()));
        try {
            Files.move(file, imported);
            LOG.info("Storage: imported {} entries from {} into the shared store; the file is kept as {}", keys.size(),
                    file, imported);
        } catch (IOException e) {
            LOG.warn("Storage: imported {} entries from {} into the shared store, but cannot rename the file ({}); it "
                    + "is not imported again, as the store now holds its entries", keys.size(), file, e.getMessage());
        }
        return keys.size();
    }
}
