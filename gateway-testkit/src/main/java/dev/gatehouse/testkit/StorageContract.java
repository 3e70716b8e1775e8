package dev.gatehouse.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.Storage;
import dev.gatehouse.api.StorageBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every shared {@link StorageBackend} must do, as tests a backend's own test class inherits: two connections
 * to one store stand for two gateways. Give it a real store (the bundled backends run a real etcd and Redis).
 *
 * <pre>{@code
 * class ConsulStorageTest extends StorageContract {
 *     protected StorageBackend.Connected connect() { return new ConsulStorageBackend().connect(config); }
 *     protected void crash(StorageBackend.Connected store) { ... drop its connection without releasing anything ... }
 * }
 * }</pre>
 */
public abstract class StorageContract {

    /** Long enough to be above any store's minimum lease, short enough for a test. */
    protected static final Duration LOCK_TTL = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<StorageBackend.Connected> opened = new ArrayList<>();

    /** A new connection to the same store, standing for another gateway. */
    protected abstract StorageBackend.Connected connect() throws Exception;

    /** Makes {@code store} vanish as a killed gateway would: its connection gone, nothing released. */
    protected abstract void crash(StorageBackend.Connected store) throws Exception;

    private StorageBackend.Connected gateway() throws Exception {
        StorageBackend.Connected store = connect();
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(store -> {
            try {
                store.close();
            } catch (RuntimeException e) {
                // a crashed store may complain; the test is over
            }
        });
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Polls {@code condition} every 50 ms for at most {@code timeout}. */
    private static boolean within(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    @Test
    void entriesWrittenByOneGatewayAreReadListedAndDeletedByAnother() throws Exception {
        Storage one = gateway();
        Storage two = gateway();
        byte[] binary = {0, (byte) 0xff, 10, 13, 'x'};
        one.put("acme/le/certificates/a.example.test", utf8("chain a"));
        one.put("acme/le/certificates/b.example.test", binary);
        one.put("acme/le/keys/a.example.test", utf8("key a"));
        one.put("acme/other/certificates/c.example.test", utf8("other"));

        assertArrayEquals(binary, two.get("acme/le/certificates/b.example.test").orElseThrow());
        assertEquals(List.of("acme/le/certificates/a.example.test", "acme/le/certificates/b.example.test"),
                two.list("acme/le/certificates/"));
        two.delete("acme/le/certificates/a.example.test");
        assertEquals(Optional.empty(), one.get("acme/le/certificates/a.example.test"));
        assertEquals(List.of("acme/le/certificates/b.example.test"), one.list("acme/le/certificates/"));
    }

    @Test
    void aWatchReportsWhatAnotherGatewayWritesAndDeletes() throws Exception {
        Storage watching = gateway();
        Storage writing = gateway();
        Map<String, Optional<String>> seen = new ConcurrentHashMap<>();
        try (Storage.Watch watch = watching.watch("acme/le/challenges/", (key, value) ->
                seen.put(key, Optional.ofNullable(value).map(v -> new String(v, StandardCharsets.UTF_8)))).orElseThrow()) {
            writing.put("acme/le/challenges/http/token1", utf8("token1.thumbprint"));
            writing.put("acme/le/certificates/a.example.test", utf8("not watched"));
            assertTrue(within(WAIT, () -> Optional.of("token1.thumbprint").equals(seen.get("acme/le/challenges/http/token1"))),
                    "the write is reported: " + seen);
            writing.delete("acme/le/challenges/http/token1");
            assertTrue(within(WAIT, () -> Optional.empty().equals(seen.get("acme/le/challenges/http/token1"))),
                    "the deletion is reported: " + seen);
            assertFalse(seen.containsKey("acme/le/certificates/a.example.test"), "only the watched prefix: " + seen);
        }
    }

    @Test
    void anEntryWrittenWithATtlIsGoneAfterItWhenItsWriterNeverDeletesIt() throws Exception {
        // An ACME challenge's answer, published by a gateway that then crashed mid-order.
        StorageBackend.Connected dying = connect();
        Storage other = gateway();
        Duration ttl = Duration.ofSeconds(2);
        dying.put("acme/le/challenges/http/token2", utf8("token2.thumbprint"), ttl);
        dying.put("acme/le/challenges/http/kept", utf8("kept.thumbprint"));
        crash(dying);
        assertArrayEquals(utf8("token2.thumbprint"), other.get("acme/le/challenges/http/token2").orElseThrow(),
                "readable until it expires");
        assertTrue(within(ttl.multipliedBy(4), () -> {
            try {
                return other.get("acme/le/challenges/http/token2").isEmpty();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }), "removed by the store after its TTL");
        assertEquals(List.of("acme/le/challenges/http/kept"), other.list("acme/le/challenges/"),
                "an entry written without a TTL stays");
        other.delete("acme/le/challenges/http/kept");
    }

    @Test
    void aLockIsHeldByOneGatewayAtATimeAndTheOtherGetsItOnceReleased() throws Exception {
        Storage one = gateway();
        Storage two = gateway();
        Storage.Lock held = one.tryLock("acme/le/order/a.example.test", LOCK_TTL).orElseThrow();
        assertTrue(two.tryLock("acme/le/order/a.example.test", LOCK_TTL).isEmpty(), "taken by the first");
        assertTrue(two.tryLock("acme/le/order/b.example.test", LOCK_TTL).isPresent(), "another name is another lock");
        held.close();
        Optional<Storage.Lock> second = two.tryLock("acme/le/order/a.example.test", LOCK_TTL);
        assertTrue(second.isPresent(), "free once released");
        second.get().close();
    }

    @Test
    void aHeldLockIsRenewedBeyondItsTtlWhileItsHolderRuns() throws Exception {
        Storage one = gateway();
        Storage two = gateway();
        try (Storage.Lock held = one.tryLock("acme/le/order/a.example.test", LOCK_TTL).orElseThrow()) {
            // For two TTLs, the other gateway never gets it: the holder's store renews it.
            long until = System.nanoTime() + LOCK_TTL.multipliedBy(2).toNanos();
            while (System.nanoTime() < until) {
                assertTrue(two.tryLock("acme/le/order/a.example.test", LOCK_TTL).isEmpty(), "the held lock was lost");
                Thread.sleep(250);
            }
        }
    }

    @Test
    void theLockOfAGatewayThatDiedWithoutReleasingItIsFreeAfterItsTtl() throws Exception {
        StorageBackend.Connected dying = connect();
        Storage other = gateway();
        dying.tryLock("acme/le/order/a.example.test", LOCK_TTL).orElseThrow();
        crash(dying);
        assertTrue(other.tryLock("acme/le/order/a.example.test", LOCK_TTL).isEmpty(), "still held right after the crash");
        long start = System.nanoTime();
        Optional<Storage.Lock>[] taken = new Optional[] {Optional.empty()};
        assertTrue(within(LOCK_TTL.multipliedBy(4), () -> {
            try {
                taken[0] = other.tryLock("acme/le/order/a.example.test", LOCK_TTL);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            return taken[0].isPresent();
        }), "the lock of a crashed holder expires");
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(waited.compareTo(LOCK_TTL.dividedBy(2)) > 0, "it was held until about its TTL, not freed at once: " + waited);
        taken[0].get().close();
        try {
            dying.close();
        } catch (RuntimeException e) {
            // already crashed
        }
    }
}
