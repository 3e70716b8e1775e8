package dev.gatehouse.core.storage;

import dev.gatehouse.api.StorageBackend;
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

    @Override
    public synchronized Optional<byte[]> get(String key) {
        return Optional.ofNullable(entries.get(key)).map(byte[]::clone);
    }

    @Override
    public synchronized void put(String key, byte[] value) {
        entries.put(key, value.clone());
    }

    @Override
    public synchronized List<String> list(String prefix) {
        return entries.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    @Override
    public synchronized void delete(String key) {
        entries.remove(key);
    }

    @Override
    public synchronized Optional<Lock> tryLock(String name, Duration ttl) {
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
