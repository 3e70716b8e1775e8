package dev.gatehouse.plugins.etcd;

import dev.gatehouse.plugins.kv.KeyValueStore;
import dev.gatehouse.plugins.kv.StoreRead;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The provider's view of etcd: a prefix read in one request, an etcd watch on it, a one-key probe. It owns its
 * connection and opens a new one after a failure ({@link #reset()}), so a returning etcd is seen at the next retry.
 */
final class EtcdKeyValueStore implements KeyValueStore, AutoCloseable {

    /** How long one read may take; a read of 10,000 routers takes well under a second. */
    private static final long READ_TIMEOUT_SECONDS = 10;
    /** Keys per read request: 2,000 keys of a few hundred bytes stay far below gRPC's 4 MB message limit. */
    static final int PAGE_KEYS = 2000;

    private final Supplier<EtcdConnection> connections;
    private final int pageKeys;
    private volatile EtcdConnection connection;

    /** @param connections opens a connection; called now and after each failure */
    EtcdKeyValueStore(Supplier<EtcdConnection> connections) {
        this(connections, PAGE_KEYS);
    }

    EtcdKeyValueStore(Supplier<EtcdConnection> connections, int pageKeys) {
        this.connections = connections;
        this.pageKeys = pageKeys;
        this.connection = connections.get();
    }

    @Override
    public synchronized void reset() {
        EtcdConnection old = connection;
        connection = connections.get();
        old.close();
    }

    @Override
    public synchronized void close() {
        connection.close();
    }

    @Override
    public StoreRead readAll(String prefix) throws Exception {
        // In pages, all at the revision of the first one: one consistent snapshot however many keys there are,
        // without one response growing past gRPC's message size.
        byte[] end = rangeEnd(prefix.getBytes(StandardCharsets.UTF_8));
        StoreRead read = new StoreRead(prefix);
        ByteSequence from = EtcdConnection.bytes(prefix);
        long revision = 0;
        int page = pageKeys;
        while (true) {
            GetOption.Builder option = GetOption.builder().withRange(ByteSequence.from(end)).withLimit(page)
                    .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND);
            if (revision > 0) {
                option.withRevision(revision);
            }
            GetResponse response;
            try {
                response = connection.client().getKVClient().get(from, option.build())
                        .get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!tooLargeForOneMessage(e)) {
                    throw e;
                }
                if (page > 1) {
                    // Values larger than usual: fewer keys per response, down to one.
                    page = Math.max(1, page / 16);
                    continue;
                }
                // One value alone exceeds the message limit: name its key, skip it, go on after it.
                ByteSequence key = firstKey(from, end, revision);
                if (key == null) {
                    throw e;
                }
                read.tooLarge(key.toString(StandardCharsets.UTF_8),
                        "more than " + (EtcdConnection.MAX_MESSAGE_BYTES >> 20) + " MiB");
                from = key.concat(ByteSequence.from(new byte[] {0}));
                continue;
            }
            if (revision == 0) {
                revision = response.getHeader().getRevision();
            }
            KeyValue last = null;
            for (KeyValue kv : response.getKvs()) {
                String key = kv.getKey().toString(StandardCharsets.UTF_8);
                if (read.fits(key, kv.getValue().size())) {
                    read.add(key, kv.getValue().toString(StandardCharsets.UTF_8));
                }
                last = kv;
            }
            if (!response.isMore() || last == null || read.complete()) {
                return read;
            }
            from = last.getKey().concat(ByteSequence.from(new byte[] {0}));
        }
    }

    /** Whether a read failed because its response exceeded gRPC's message limit. */
    private static boolean tooLargeForOneMessage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (String.valueOf(t.getMessage()).startsWith("RESOURCE_EXHAUSTED")) {
                return true;
            }
        }
        return false;
    }

    /** The first key in {@code [from, end)} at {@code revision}, read without its value; null when there is none. */
    private ByteSequence firstKey(ByteSequence from, byte[] end, long revision) throws Exception {
        GetOption.Builder option = GetOption.builder().withRange(ByteSequence.from(end)).withLimit(1).withKeysOnly(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND);
        if (revision > 0) {
            option.withRevision(revision);
        }
        GetResponse response = connection.client().getKVClient().get(from, option.build())
                .get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return response.getKvs().isEmpty() ? null : response.getKvs().get(0).getKey();
    }

    /** The first key after every key that starts with {@code prefix} (etcd's prefix range end). */
    static byte[] rangeEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return java.util.Arrays.copyOf(end, i + 1);
            }
        }
        return new byte[] {0}; // every key
    }

    @Override
    public AutoCloseable watch(String prefix, Runnable changed, Consumer<Throwable> broken) {
        // jetcd resumes a watch by itself after a reconnect, from the last revision it saw; onError comes only when
        // it gives up (the revision was compacted, the user lost its permission).
        return connection.client().getWatchClient().watch(EtcdConnection.bytes(prefix),
                WatchOption.builder().isPrefix(true).build(),
                new io.etcd.jetcd.Watch.Listener() {
                    @Override
                    public void onNext(WatchResponse response) {
                        changed.run();
                    }

                    @Override
                    public void onError(Throwable failure) {
                        broken.accept(failure);
                    }

                    @Override
                    public void onCompleted() {
                        broken.accept(new IllegalStateException("the etcd watch ended"));
                    }
                });
    }

    @Override
    public void probe(String prefix) throws Exception {
        // The prefix key itself, counted only: inside what a user restricted to the prefix may read, and tiny.
        connection.client().getKVClient()
                .get(EtcdConnection.bytes(prefix), GetOption.builder().withCountOnly(true).build())
                .get(EtcdConnection.CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public String describeFailure(Throwable failure) {
        if (failure instanceof java.util.concurrent.TimeoutException) {
            return "cannot reach etcd at " + connection.endpoints() + " (no answer)";
        }
        return connection.describeFailure(failure);
    }
}
