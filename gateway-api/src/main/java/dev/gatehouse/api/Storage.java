package dev.gatehouse.api;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where a plugin keeps state that must survive a restart, such as an ACME account and its certificates: keys
 * and values, and a lock with an expiry so that, when several gateways share one store, one of them does a
 * piece of work (orders a certificate) and the others wait for its result.
 *
 * <p>The bundled implementation is one file ({@link Storages#open}); a plugin may offer another (etcd, Redis)
 * behind the same interface. Keys are paths such as {@code account/key} or {@code certificates/example.com}.
 * Implementations are thread-safe; every write is atomic (a reader sees the old or the new value, never a mix).
 */
public interface Storage {

    Optional<byte[]> get(String key) throws IOException;

    void put(String key, byte[] value) throws IOException;

    /** The keys that start with {@code prefix}, sorted. */
    List<String> list(String prefix) throws IOException;

    void delete(String key) throws IOException;

    /**
     * Takes the lock {@code name} for at most {@code ttl} (so that a crashed holder does not block the others
     * for ever), or returns empty when another holder has it.
     */
    Optional<Lock> tryLock(String name, Duration ttl) throws IOException;

    /** A held lock; closing releases it. */
    interface Lock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }
}
