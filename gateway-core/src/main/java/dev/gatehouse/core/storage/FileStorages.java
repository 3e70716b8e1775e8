package dev.gatehouse.core.storage;

import dev.gatehouse.api.Storage;
import dev.gatehouse.api.Storages;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** Opens {@link FileStorage}s, one per file, so that resolvers naming the same file share it. */
public final class FileStorages implements Storages {

    private final Function<String, Path> resolve;
    private final Map<Path, FileStorage> open = new HashMap<>();

    /** @param resolve turns a configured location into a path (relative to the static configuration file's folder) */
    public FileStorages(Function<String, Path> resolve) {
        this.resolve = resolve;
    }

    @Override
    public synchronized Storage open(String location) throws IOException {
        if (location == null || location.isBlank()) {
            throw new IOException("no storage file is configured");
        }
        Path file = resolve.apply(location.strip()).toAbsolutePath().normalize();
        FileStorage storage = open.get(file);
        if (storage == null) {
            storage = FileStorage.open(file, Clock.systemUTC());
            open.put(file, storage);
        }
        return storage;
    }
}
