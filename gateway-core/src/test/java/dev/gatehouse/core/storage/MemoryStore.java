package dev.gatehouse.core.storage;

import dev.gatehouse.api.StorageBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** A shared store in memory, for the core's tests of what it adds around a backend. */
final class MemoryStore implements StorageBackend.Connected {
    final Map<String, byte[]> entries = new TreeMap<>();
    final Set<String> locks = new HashSet<>();
    boolean closed;
    /** While set, every call fails as a store that does not answer. */
    volatile boolean down;

    private void answer() throws IOException {
        if (down) {
            throw new IOException("cannot reach the store (no answer)");
        }
    }

    @Override
    public synchronized Optional<byte[]> get(String key) throws IOException {
        answer();
        return Optional.ofNullable(entries.get(key)).map(byte[]::clone);
    }

    @Override
    public synchronized void put(String key, byte[] value) throws IOException {
        answer();
        entries.put(key, value.clone());
    }

    @Override
    public synchronized List<String> list(String prefix) throws IOException {
        answer();
        return entries.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    @Override
    public synchronized void delete(String key) throws IOException {
        answer();
        entries.remove(key);
    }

    @Override
    public synchronized Optional<Lock> tryLock(String name, Duration ttl) throws IOException {
        answer();
        if (!locks.add(name)) {
            return Optional.empty();
        }
        return Optional.of(() -> {
            synchronized (MemoryStore.this) {
                locks.remove(name);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
    }
}
