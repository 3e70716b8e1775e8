package dev.gatehouse.core.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.ProviderContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConfigurationWatcherTest {

    private static ConfigurationSnapshot snapshot(String value) {
        return ConfigurationSnapshot.of(ConfigurationFragment.of("test", Map.of("http", Map.of("v", value))));
    }

    private static String value(Map<String, ConfigurationSnapshot> applied, String provider) {
        return String.valueOf(((Map<?, ?>) applied.get(provider).fragments().get(0).content().get("http")).get("v"));
    }

    private static void awaitSize(List<?> list, int size, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void appliesTheFirstSnapshotAtOnceAndABurstOnceWithItsNewestState() throws Exception {
        List<Map<String, ConfigurationSnapshot>> applied = new CopyOnWriteArrayList<>();
        try (ConfigurationWatcher watcher = new ConfigurationWatcher(Duration.ofMillis(500), applied::add)) {
            ProviderContext file = watcher.contextFor("file");
            long start = System.nanoTime();
            file.publish(snapshot("1"));
            awaitSize(applied, 1, 1000);
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(300), "first snapshot applied without delay");

            file.publish(snapshot("2"));
            file.publish(snapshot("3"));
            file.publish(snapshot("4"));
            awaitSize(applied, 2, 2000);
            Thread.sleep(700);   // nothing else may come: the burst is applied once
            assertEquals(2, applied.size());
            assertEquals("4", value(applied.get(1), "file"));
        }
    }

    @Test
    void dropsASnapshotEqualToThePreviousOne() throws Exception {
        List<Map<String, ConfigurationSnapshot>> applied = new CopyOnWriteArrayList<>();
        try (ConfigurationWatcher watcher = new ConfigurationWatcher(Duration.ofMillis(50), applied::add)) {
            ProviderContext file = watcher.contextFor("file");
            file.publish(snapshot("1"));
            awaitSize(applied, 1, 1000);
            file.publish(snapshot("1"));
            Thread.sleep(300);
            assertEquals(1, applied.size());
        }
    }

    @Test
    void everyApplicationSeesTheNewestSnapshotOfEveryProvider() throws Exception {
        List<Map<String, ConfigurationSnapshot>> applied = new CopyOnWriteArrayList<>();
        try (ConfigurationWatcher watcher = new ConfigurationWatcher(Duration.ofMillis(50), applied::add)) {
            watcher.contextFor("file").publish(snapshot("f"));
            awaitSize(applied, 1, 1000);
            watcher.contextFor("docker").publish(snapshot("d"));
            awaitSize(applied, 2, 1000);
            Map<String, ConfigurationSnapshot> last = applied.get(applied.size() - 1);
            assertEquals("f", value(last, "file"));
            assertEquals("d", value(last, "docker"));
        }
    }
}
