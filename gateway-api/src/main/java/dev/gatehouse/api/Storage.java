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
 * behind the same interface ({@link StorageBackend}, chosen by the static {@code storage} section). Keys are paths
 * such as {@code account/key} or {@code certificates/example.com}; keep each entry small and its own key (one per
 * certificate, one per private key), never one value for everything: stores such as etcd limit a value's size.
 * Implementations are thread-safe; every write is atomic (a reader sees the old or the new value, never a mix).
 *
 * <pre>{@code
 * storage.putSecret("keys/example.com", pem);                  // encrypted when storage.encryptionKey is set
 * storage.put("certificates/example.com", chain);              // then the entry that names it
 * try (Storage.Watch watch = storage.watch("certificates/", (key, value) -> reload(key, value)).orElse(null)) {
 *     ...                                                      // another gateway's certificate arrives here
 * }
 * }</pre>
 */
public interface Storage {

    Optional<byte[]> get(String key) throws IOException;

    void put(String key, byte[] value) throws IOException;

    /**
     * Stores a value that the store removes by itself after {@code ttl}, unless it is written or deleted before: for
     * entries whose writer deletes them when done (an ACME challenge's answer) but may crash before it does. A
     * shared store that can watch reports the removal to its watchers when it can (etcd does; a Redis expiry is
     * not reported, the entry is only gone). The default, and the file storage, store it as {@link #put} does: one
     * gateway alone writes a file, and a restarted gateway forgets what it had published.
     */
    default void put(String key, byte[] value, Duration ttl) throws IOException {
        put(key, value);
    }

    /** The keys that start with {@code prefix}, sorted. */
    List<String> list(String prefix) throws IOException;

    void delete(String key) throws IOException;

    /**
     * Takes the lock {@code name} for at most {@code ttl} (so that a crashed holder does not block the others
     * for ever), or returns empty when another holder has it.
     *
     * <p>A store shared by several gateways (etcd, Redis) keeps a held lock alive while its holder runs, renewing
     * it well before {@code ttl} runs out, until it is closed: {@code ttl} is then how long a crashed holder blocks
     * the others, not a limit on the work. The file storage's locks live in its process only.
     */
    Optional<Lock> tryLock(String name, Duration ttl) throws IOException;

    /**
     * Stores a value that whoever reads the store must not learn, such as a private key: a shared store encrypts
     * it with the static {@code storage.encryptionKey} when one is set. Read it back with {@link #getSecret}. The
     * default stores it as {@link #put} does (the file storage: a file only its owner may read).
     */
    default void putSecret(String key, byte[] value) throws IOException {
        put(key, value);
    }

    /**
     * A value stored with {@link #putSecret}, decrypted; empty when there is none.
     *
     * @throws IOException when it cannot be decrypted (another encryption key), naming the key
     */
    default Optional<byte[]> getSecret(String key) throws IOException {
        return get(key);
    }

    /**
     * Reports every later change of a key that starts with {@code prefix} to {@code listener}, on a thread of the
     * storage's own, in the order the store applied them, including the changes this gateway makes. After a lost
     * connection to the store comes back, the current value of every key under {@code prefix} is reported again
     * (a deletion made meanwhile may go unreported): a listener treats a report as "this is the value now".
     *
     * <p>Call {@link #list}/{@link #get} after {@code watch} returns, not before, to miss nothing. Empty when the
     * storage cannot watch: the default, and the file storage, which one gateway alone writes.
     *
     * @return a handle that stops the reports, or empty
     */
    default Optional<Watch> watch(String prefix, WatchListener listener) throws IOException {
        return Optional.empty();
    }

    /** Receives the changes {@link #watch} reports. It must return quickly and not call back into a lock. */
    @FunctionalInterface
    interface WatchListener {

        /**
         * @param key the whole key, prefix included
         * @param value its new value, or null when the key was deleted (or its value cannot be read)
         */
        void changed(String key, byte[] value);
    }

    /** A running {@link #watch}; closing it stops the reports. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** A held lock; closing releases it. */
    interface Lock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }
}
