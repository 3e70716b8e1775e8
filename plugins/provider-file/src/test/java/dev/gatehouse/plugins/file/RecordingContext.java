package dev.gatehouse.plugins.file;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.ProviderContext;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects what a provider publishes, and lets a test wait for the next snapshot. */
final class RecordingContext implements ProviderContext {

    private final BlockingQueue<ConfigurationSnapshot> snapshots = new LinkedBlockingQueue<>();
    private volatile Thread lastPublisher;
    /** What the provider reported with reportUnavailable, in order. */
    final java.util.List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void reportUnavailable(String problem) {
        problems.add(problem);
    }

    @Override
    public void publish(ConfigurationSnapshot snapshot) {
        lastPublisher = Thread.currentThread();
        snapshots.add(snapshot);
    }

    /** The next snapshot published, waiting at most {@code timeout} for it. */
    ConfigurationSnapshot next(Duration timeout) throws InterruptedException {
        ConfigurationSnapshot snapshot = snapshots.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(snapshot, "no snapshot published within " + timeout);
        return snapshot;
    }

    /** The next snapshot within the 2 s a change is allowed to take. */
    ConfigurationSnapshot next() throws InterruptedException {
        return next(Duration.ofSeconds(2));
    }

    void assertNothingWithin(Duration wait) throws InterruptedException {
        assertNull(snapshots.poll(wait.toMillis(), TimeUnit.MILLISECONDS), "unexpected snapshot");
    }

    Thread lastPublisher() {
        return lastPublisher;
    }
}
