package dev.gatehouse.core.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.ProviderContext;
import dev.gatehouse.core.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The watcher on a manual clock: the throttle is tested by moving time, not by waiting for it. */
class ConfigurationWatcherTest {

    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<Map<String, ConfigurationSnapshot>> applied = new ArrayList<>();

    private static ConfigurationSnapshot snapshot(String value) {
        return ConfigurationSnapshot.of(ConfigurationFragment.of("test", Map.of("http", Map.of("v", value))));
    }

    private static String value(Map<String, ConfigurationSnapshot> applied, String provider) {
        return String.valueOf(((Map<?, ?>) applied.get(provider).fragments().get(0).content().get("http")).get("v"));
    }

    private ConfigurationWatcher watcher(Duration throttle) {
        return new ConfigurationWatcher(throttle, applied::add, scheduler);
    }

    @Test
    void appliesTheFirstSnapshotAtOnceAndABurstOnceWithItsNewestStateAfterTheThrottle() {
        try (ConfigurationWatcher watcher = watcher(Duration.ofMillis(500))) {
            ProviderContext file = watcher.contextFor("file");
            file.publish(snapshot("1"));
            assertEquals(1, applied.size(), "the first snapshot is applied without delay");

            file.publish(snapshot("2"));
            file.publish(snapshot("3"));
            file.publish(snapshot("4"));
            scheduler.advance(Duration.ofMillis(499));
            assertEquals(1, applied.size(), "nothing before the throttle duration has passed");
            scheduler.advance(Duration.ofMillis(1));
            assertEquals(2, applied.size(), "the burst is applied once the throttle duration has passed");
            assertEquals("4", value(applied.get(1), "file"), "with its newest state");

            scheduler.advance(Duration.ofMinutes(1));
            assertEquals(2, applied.size(), "the burst is applied once");
            assertEquals(0, scheduler.pending());
        }
    }

    @Test
    void aChangeAfterAQuietThrottleDurationIsAppliedAtOnce() {
        try (ConfigurationWatcher watcher = watcher(Duration.ofMillis(500))) {
            ProviderContext file = watcher.contextFor("file");
            file.publish(snapshot("1"));
            scheduler.advance(Duration.ofMillis(500));
            file.publish(snapshot("2"));
            assertEquals(2, applied.size());
            assertEquals("2", value(applied.get(1), "file"));
        }
    }

    @Test
    void dropsASnapshotEqualToThePreviousOne() {
        try (ConfigurationWatcher watcher = watcher(Duration.ofMillis(50))) {
            ProviderContext file = watcher.contextFor("file");
            file.publish(snapshot("1"));
            file.publish(snapshot("1"));
            scheduler.advance(Duration.ofMinutes(1));
            assertEquals(1, applied.size());
            assertEquals(0, scheduler.pending(), "no application is scheduled for an unchanged snapshot");
        }
    }

    @Test
    void everyApplicationSeesTheNewestSnapshotOfEveryProvider() {
        try (ConfigurationWatcher watcher = watcher(Duration.ofMillis(50))) {
            watcher.contextFor("file").publish(snapshot("f"));
            watcher.contextFor("docker").publish(snapshot("d"));
            assertEquals(2, applied.size(), "each provider's first snapshot is applied at once");
            Map<String, ConfigurationSnapshot> last = applied.get(applied.size() - 1);
            assertEquals("f", value(last, "file"));
            assertEquals("d", value(last, "docker"));
        }
    }

    @Test
    void theStartDoesNotWaitForAProviderThatSaysItCannotReadItsSource() throws InterruptedException {
        try (ConfigurationWatcher watcher = watcher(Duration.ofMillis(50))) {
            watcher.contextFor("file").publish(snapshot("f"));
            watcher.contextFor("docker").reportUnavailable("Docker engine at unix:///nowhere.sock is unreachable");
            long started = System.nanoTime();
            watcher.awaitFirstSnapshots(List.of("file", "docker"), Duration.ofSeconds(30));
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertTrue(waited < 10_000, "waited " + waited + " ms for a provider that said it cannot read its source");
            assertEquals(List.of("file up", "docker down"), watcher.health().statuses().stream()
                    .map(s -> s.provider() + " " + s.state().apiName()).toList());
            assertEquals("Docker engine at unix:///nowhere.sock is unreachable",
                    watcher.health().status("docker").problem());
        }
    }

    @Test
    void aProvidersProblemIsOneBoundedLineWhateverItsSourceAnswered() {
        try (ConfigurationWatcher watcher = watcher(Duration.ofMillis(50))) {
            watcher.contextFor("docker").reportUnavailable("engine said:\nERROR forged line\r\n" + "x".repeat(100_000));
            String problem = watcher.health().status("docker").problem();
            assertTrue(problem.startsWith("engine said:\\nERROR forged line\\r\\n"), problem);
            assertTrue(problem.length() < ConfigurationWatcher.MAX_PROBLEM_CHARS + 50, "length " + problem.length());
            assertTrue(problem.endsWith(" more characters)"), problem.substring(problem.length() - 40));
        }
    }
}
