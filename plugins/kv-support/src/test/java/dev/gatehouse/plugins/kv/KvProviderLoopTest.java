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
    static final class FlakyStore implements KeyValueStore {
        final Map<String, String> keys = new ConcurrentHashMap<>();
        final AtomicInteger failing = new AtomicInteger();
        final AtomicInteger resets = new AtomicInteger();
        volatile Runnable changed;

        @Override
        public Map<String, String> readAll(String prefix) throws Exception {
            if (failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new ConnectException("Connection refused");
            }
            return Map.copyOf(keys);
        }

        @Override
        public AutoCloseable watch(String prefix, Runnable changed, Consumer<Throwable> broken) {
            this.changed = changed;
            return () -> this.changed = null;
        }

        @Override
        public void probe(String prefix) {
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
}
