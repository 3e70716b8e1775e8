package dev.gatehouse.core.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.api.Storage;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundled {@link Storage}: one JSON file holding every key, rewritten whole on each change through a
 * temporary file and an atomic rename, readable by its owner only (mode 600). A file that cannot be parsed is
 * moved aside ({@code acme.json.corrupt-<time>}) and reported, never overwritten. Locks live in this process
 * only, and it has no {@link #watch}: one gateway uses one file (gateways share state through the static
 * {@code storage} section's store, etcd or Redis, which imports such a file once: {@link FileImport}).
 */
public final class FileStorage implements Storage {

    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path file;
    private final Clock clock;
    private final Map<String, byte[]> entries = new TreeMap<>();
    private final Map<String, Instant> locks = new HashMap<>();

    private FileStorage(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /**
     * Opens (or starts) the store in {@code file}.
     *
     * @throws IOException when the file exists but cannot be read (permissions), naming it
     */
    public static FileStorage open(Path file, Clock clock) throws IOException {
        FileStorage storage = new FileStorage(file.toAbsolutePath(), clock);
        storage.load();
        return storage;
    }

    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new IOException("storage file " + file + " cannot be read: permission denied", e);
        }
        if (bytes.length == 0) {
            return;
        }
        try {
            JsonNode root = JSON.readTree(bytes);
            JsonNode stored = root == null ? null : root.get("entries");
            if (stored == null || !stored.isObject()) {
                throw new IOException("no 'entries' object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = stored.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                entries.put(entry.getKey(), Base64.getDecoder().decode(entry.getValue().asText()));
            }
        } catch (IOException | IllegalArgumentException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(clock.instant()));
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            entries.clear();
            LOG.error("Storage file {} is corrupt ({}); it was moved to {} and the storage starts empty", file,
                    e.getMessage(), aside);
        }
    }

    @Override
    public synchronized Optional<byte[]> get(String key) {
        byte[] value = entries.get(key);
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    @Override
    public synchronized void put(String key, byte[] value) throws IOException {
        byte[] previous = entries.put(key, value.clone());
        try {
            write();
        } catch (IOException e) {
            if (previous == null) {
                entries.remove(key);
            } else {
                entries.put(key, previous);
            }
            throw e;
        }
    }

    @Override
    public synchronized List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        for (String key : entries.keySet()) {
            if (key.startsWith(prefix)) {
                keys.add(key);
            }
        }
        return keys;
    }

    @Override
    public synchronized void delete(String key) throws IOException {
        if (entries.remove(key) != null) {
            write();
        }
    }

    @Override
    public synchronized Optional<Lock> tryLock(String name, Duration ttl) {
        Instant now = clock.instant();
        Instant held = locks.get(name);
        if (held != null && held.isAfter(now)) {
            return Optional.empty();
        }
        Instant expiry = now.plus(ttl);
        locks.put(name, expiry);
        return Optional.of(() -> {
            synchronized (FileStorage.this) {
                locks.remove(name, expiry);
            }
        });
    }

    /** Writes every entry to a temporary file (mode 600 from the start) and renames it over the store. */
    private void write() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 1);
        ObjectNode stored = root.putObject("entries");
        entries.forEach((key, value) -> stored.put(key, Base64.getEncoder().encodeToString(value)));
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path temp;
        try {
            temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        }
        try {
            Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (FileSystemException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public Path file() {
        return file;
    }
}
