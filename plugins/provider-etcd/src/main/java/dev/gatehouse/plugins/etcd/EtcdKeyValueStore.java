package dev.gatehouse.plugins.etcd;

import dev.gatehouse.plugins.kv.KeyValueStore;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
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

    private final Supplier<EtcdConnection> connections;
    private volatile EtcdConnection connection;

    /** @param connections opens a connection; called now and after each failure */
    EtcdKeyValueStore(Supplier<EtcdConnection> connections) {
        this.connections = connections;
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
    public Map<String, String> readAll(String prefix) throws Exception {
        GetResponse response = connection.client().getKVClient()
                .get(EtcdConnection.bytes(prefix), GetOption.builder().isPrefix(true).build())
                .get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<String, String> pairs = new LinkedHashMap<>();
        for (KeyValue kv : response.getKvs()) {
            pairs.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8));
        }
        return pairs;
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
