package dev.gatehouse.plugins.etcd.storage;

import static dev.gatehouse.plugins.etcd.EtcdConnection.bytes;

import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.plugins.etcd.EtcdConnection;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;

import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared storage on etcd: each entry is the etcd key {@code <rootKey>/<key>}, a lock is the key
 * {@code <rootKey>/locks/<name>} attached to a lease that the holder keeps alive (so a crashed holder's lock goes
 * when its lease expires) and created only if absent (a transaction on the key's create revision), and a watch is
 * an etcd watch of the prefix, resumed from the last revision it saw after a lost connection.
 */
final class EtcdStorage implements StorageBackend.Connected {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdStorage.class);
    /** The limit of one call: long enough for a slow cluster, short enough that an order is not held up for long. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WATCH_RETRY = Duration.ofSeconds(1);
    static final String LOCKS = "locks/";

    private final EtcdConnection etcd;
    /** {@code rootKey/}: the prefix of every key. */
    private final String root;
    private final ScheduledExecutorService retries;

    EtcdStorage(EtcdConnection etcd, String rootKey) {
        this.etcd = etcd;
        this.root = rootKey.endsWith("/") ? rootKey : rootKey + "/";
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-etcd-storage");
            t.setDaemon(true);
            return t;
        });
    }

    private <T> T call(CompletableFuture<T> future, String what) throws IOException {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what);
        } catch (ExecutionException e) {
            throw new IOException("storage.etcd: " + what + ": " + etcd.describeFailure(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("storage.etcd: " + what + ": no answer from etcd at " + etcd.endpoints() + " within "
                    + CALL_TIMEOUT.toSeconds() + " s");
        }
    }

    @Override
    public Optional<byte[]> get(String key) throws IOException {
        GetResponse response = call(etcd.client().getKVClient().get(bytes(root + key)), "reading " + key);
        return response.getKvs().isEmpty() ? Optional.empty() : Optional.of(response.getKvs().get(0).getValue().getBytes());
    }

    @Override
    public void put(String key, byte[] value) throws IOException {
        call(etcd.client().getKVClient().put(bytes(root + key), ByteSequence.from(value)), "writing " + key);
    }

    /** Puts the value on a lease of its own that nobody renews: etcd deletes it (and tells the watchers) at the end. */
    @Override
    public void put(String key, byte[] value, Duration ttl) throws IOException {
        long lease = call(etcd.client().getLeaseClient().grant(Math.max(2, ttl.toSeconds())), "writing " + key).getID();
        try {
            call(etcd.client().getKVClient().put(bytes(root + key), ByteSequence.from(value),
                    PutOption.builder().withLeaseId(lease).build()), "writing " + key);
        } catch (IOException e) {
            revoke(lease);
            throw e;
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        GetResponse response = call(etcd.client().getKVClient().get(bytes(root + prefix),
                GetOption.builder().isPrefix(true).withKeysOnly(true).withSortField(GetOption.SortTarget.KEY)
                        .withSortOrder(GetOption.SortOrder.ASCEND).build()), "listing " + prefix);
        List<String> keys = new ArrayList<>();
        for (KeyValue kv : response.getKvs()) {
            keys.add(kv.getKey().toString(StandardCharsets.UTF_8).substring(root.length()));
        }
        return keys;
    }

    @Override
    public void delete(String key) throws IOException {
        call(etcd.client().getKVClient().delete(bytes(root + key)), "deleting " + key);
    }

    @Override
    public Optional<Lock> tryLock(String name, Duration ttl) throws IOException {
        long seconds = Math.max(2, ttl.toSeconds());
        long lease = call(etcd.client().getLeaseClient().grant(seconds), "taking the lock " + name).getID();
        ByteSequence key = bytes(root + LOCKS + name);
        ByteSequence token = bytes(UUID.randomUUID().toString());
        TxnResponse taken;
        try {
            taken = call(etcd.client().getKVClient().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(key, token, PutOption.builder().withLeaseId(lease).build()))
                    .commit(), "taking the lock " + name);
        } catch (IOException e) {
            revoke(lease);
            throw e;
        }
        if (!taken.isSucceeded()) {
            revoke(lease);
            return Optional.empty();
        }
        // jetcd renews the lease at a third of its TTL for as long as this stream is open.
        CloseableClient keepAlive = etcd.client().getLeaseClient().keepAlive(lease, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse response) {
            }

            @Override
            public void onError(Throwable failure) {
                LOG.warn("storage.etcd: the lock {} may expire: its lease cannot be renewed ({})", name,
                        etcd.describeFailure(failure));
            }

            @Override
            public void onCompleted() {
            }
        });
        return Optional.of(() -> {
            keepAlive.close();
            try {
                // Delete only our own lock (a lock that expired meanwhile may be someone else's now), then the lease.
                call(etcd.client().getKVClient().txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(token)))
                        .Then(Op.delete(key, DeleteOption.DEFAULT))
                        .commit(), "releasing the lock " + name);
            } finally {
                revoke(lease);
            }
        });
    }

    private void revoke(long lease) {
        etcd.client().getLeaseClient().revoke(lease).exceptionally(failure -> null);
    }

    @Override
    public Optional<Watch> watch(String prefix, WatchListener listener) throws IOException {
        // etcd starts a watch without a revision at its current one when the request reaches it, which is after this
        // returns: a change made in between (another gateway's ACME answer) was missed. Watching from the revision
        // read here reports every change made after the call, as Storage.watch promises.
        long revision = call(etcd.client().getKVClient().get(bytes(root + prefix),
                GetOption.builder().isPrefix(true).withCountOnly(true).build()), "reading " + prefix)
                .getHeader().getRevision();
        PrefixWatch watch = new PrefixWatch(prefix, listener);
        watch.start(revision + 1);
        return Optional.of(watch);
    }

    /**
     * One watch of a prefix. jetcd resumes a watch by itself after a lost connection; when etcd ends it (the
     * revision it would resume from was compacted), the current values are reported again and a new watch starts.
     */
    private final class PrefixWatch implements Watch {
        private final String prefix;
        private final WatchListener listener;
        private volatile boolean closed;
        private volatile io.etcd.jetcd.Watch.Watcher watcher;
        private volatile long lastRevision;
        /** The entries reported with a value and not deleted since: what a restart must report gone if it is. */
        private final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();

        PrefixWatch(String prefix, WatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
        }

        /** @param revision the first revision to report */
        void start(long revision) {
            if (closed) {
                return;
            }
            WatchOption.Builder options = WatchOption.builder().isPrefix(true).withPrevKV(false).withRevision(revision);
            watcher = etcd.client().getWatchClient().watch(bytes(root + prefix), options.build(), io.etcd.jetcd.Watch.listener(
                    response -> {
                        for (WatchEvent event : response.getEvents()) {
                            lastRevision = Math.max(lastRevision, event.getKeyValue().getModRevision());
                            String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8).substring(root.length());
                            byte[] value = event.getEventType() == WatchEvent.EventType.PUT
                                    ? event.getKeyValue().getValue().getBytes() : null;
                            report(key, value);
                        }
                    },
                    failure -> {
                        LOG.debug("storage.etcd: the watch of {} ended: {}", prefix, etcd.describeFailure(failure));
                        restartLater();
                    }));
        }

        private void report(String key, byte[] value) {
            if (value == null) {
                known.remove(key);
            } else {
                known.add(key);
            }
            try {
                listener.changed(key, value);
            } catch (RuntimeException e) {
                LOG.warn("storage.etcd: a watcher of {} failed on {}: {}", prefix, key, e.toString());
            }
        }

        private void restartLater() {
            if (closed) {
                return;
            }
            retries.schedule(() -> {
                try {
                    GetResponse current = call(etcd.client().getKVClient().get(bytes(root + prefix),
                            GetOption.builder().isPrefix(true).build()), "reading " + prefix);
                    io.etcd.jetcd.Watch.Watcher old = watcher;
                    if (old != null) {
                        old.close();
                    }
                    java.util.Set<String> present = new java.util.HashSet<>();
                    for (KeyValue kv : current.getKvs()) {
                        String key = kv.getKey().toString(StandardCharsets.UTF_8).substring(root.length());
                        present.add(key);
                        report(key, kv.getValue().getBytes());
                    }
                    // Deletions in the revisions skipped are not reported by the new watch: report them here.
                    for (String key : List.copyOf(known)) {
                        if (!present.contains(key)) {
                            report(key, null);
                        }
                    }
                    start(current.getHeader().getRevision() + 1);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("storage.etcd: cannot watch {} again yet: {}", prefix, e.getMessage());
                    restartLater();
                }
            }, WATCH_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            closed = true;
            io.etcd.jetcd.Watch.Watcher current = watcher;
            if (current != null) {
                current.close();
            }
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
        etcd.close();
    }
}
