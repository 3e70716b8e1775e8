package dev.gatehouse.plugins.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.ProviderContext;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The loop both KV providers run, against a store that fails on demand. */
class KvProviderLoopTest {

    /** A store in memory whose reads fail while {@code failing} is above zero (counting down). */
    static class FlakyStore implements KeyValueStore {
        final Map<String, String> keys = new ConcurrentHashMap<>();
        final AtomicInteger failing = new AtomicInteger();
        final AtomicInteger resets = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger probes = new AtomicInteger();
        volatile Runnable changed;
        volatile long maxSnapshotBytes = StoreRead.MAX_SNAPSHOT_BYTES;

        @Override
        public StoreRead readAll(String prefix) throws Exception {
            reads.incrementAndGet();
            if (failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new ConnectException("Connection refused");
            }
            StoreRead read = new StoreRead(prefix, maxSnapshotBytes);
            for (Map.Entry<String, String> pair : new java.util.TreeMap<>(keys).entrySet()) {
                read.put(pair.getKey(), pair.getValue(), pair.getValue().length());
            }
            return read;
        }

        @Override
        public AutoCloseable watch(String prefix, Runnable changed, Consumer<Throwable> broken) {
            this.changed = changed;
            return () -> this.changed = null;
        }

        @Override
        public void probe(String prefix) {
            probes.incrementAndGet();
        }

        @Override
        public void reset() {
            resets.incrementAndGet();
        }

        @Override
        public String describeFailure(Throwable failure) {
            return "cannot reach the store: " + failure.getMessage();
        }
    }

    static final class Recording implements ProviderContext {
        final List<ConfigurationSnapshot> published = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();

        @Override
        public void publish(ConfigurationSnapshot snapshot) {
            published.add(snapshot);
        }

        @Override
        public void reportUnavailable(String problem) {
            problems.add(problem);
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void anOutageIsReportedOnceRetriedWithFreshConnectionsAndEndsWithAFullRead() throws Exception {
        FlakyStore store = new FlakyStore();
        store.keys.put("traefik/http/routers/app/rule", "Host(`app`)");
        store.failing.set(3);
        Recording context = new Recording();
        KvProviderLoop loop = new KvProviderLoop("etcd", "traefik", store, context);
        loop.start();
        try {
            await("a snapshot after three failed reads", () -> !context.published.isEmpty());
            assertEquals(List.of("cannot reach the store: Connection refused"), context.problems,
                    "one report for one outage, not one per retry");
            assertEquals(3, store.resets.get(), "a fresh connection for each retry");
            assertEquals("etcd: traefik/http/routers/app",
                    context.published.get(0).fragments().get(0).origin());

            store.keys.put("traefik/http/routers/other/rule", "Host(`other`)");
            store.changed.run();
            await("a snapshot after the change", () -> context.published.size() >= 2);
            assertEquals(2, context.published.get(context.published.size() - 1).fragments().size());
            assertEquals(1, context.problems.size(), "no new report without a new outage");
        } finally {
            loop.close();
        }
    }

    @Test
    void aStoreHoldingMoreThanTheSnapshotLimitMarksTheProviderDownNamingTheLimitAndKeepsTheLastConfiguration()
            throws Exception {
        FlakyStore store = new FlakyStore();
        store.maxSnapshotBytes = 1000;
        store.keys.put("traefik/http/routers/app/rule", "Host(`app`)");
        Recording context = new Recording();
        KvProviderLoop loop = new KvProviderLoop("redis", "traefik", store, context);
        loop.start();
        try {
            await("the first snapshot", () -> !context.published.isEmpty());
            store.keys.put("traefik/http/routers/big/rule", "x".repeat(2000));
            store.changed.run();
            await("the provider reported down", () -> !context.problems.isEmpty());
            assertEquals(List.of("the keys under traefik/ hold more than 1000 bytes (keys and values); a provider reads "
                    + "at most 1000 bytes from the store: delete keys no longer used under traefik/ (configuration read "
                    + "before is kept meanwhile)"), context.problems);
            assertEquals(1, context.published.size(), "nothing published past the limit: the last snapshot stays");
            // No reading again and again: the store is probed, and read again only after a change.
            int reads = store.reads.get();
            int probes = store.probes.get();
            await("two probes", () -> store.probes.get() >= probes + 2);
            assertEquals(reads, store.reads.get(), "not read again without a change");

            store.keys.remove("traefik/http/routers/big/rule");
            store.changed.run();
            await("a snapshot once the store is back within the limit", () -> context.published.size() >= 2);
            assertEquals(1, context.problems.size());
        } finally {
            loop.close();
        }
    }

    @Test
    void aReadThatOutlivesCloseIsNotPublished() throws Exception {
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean returned = new java.util.concurrent.atomic.AtomicBoolean();
        FlakyStore store = new FlakyStore() {
            final AtomicInteger calls = new AtomicInteger();

            @Override
            public StoreRead readAll(String prefix) throws Exception {
                if (calls.incrementAndGet() == 2) {
                    // A store that answers slowly, in a client that does not give up when interrupted.
                    reading.countDown();
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (release.getCount() > 0 && System.nanoTime() < deadline) {
                        try {
                            release.await(10, java.util.concurrent.TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            // ignored, as such a client does
                        }
                    }
                    StoreRead read = super.readAll(prefix);
                    returned.set(true);
                    return read;
                }
                return super.readAll(prefix);
            }
        };
        store.keys.put("traefik/http/routers/app/rule", "Host(`app`)");
        Recording context = new Recording();
        KvProviderLoop loop = new KvProviderLoop("etcd", "traefik", store, context);
        loop.start();
        await("the first snapshot", () -> !context.published.isEmpty());
        store.changed.run();
        await("the second read under way", () -> reading.getCount() == 0);
        loop.close();
        release.countDown();
        await("the slow read returned", returned::get);
        await("the provider's thread ended", () -> !loop.running());
        assertEquals(1, context.published.size(), "nothing published after close() returned");
    }
}
