package dev.gatehouse.core.dynamic;

import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.api.ProviderContext;
import dev.gatehouse.core.logging.LogText;
import dev.gatehouse.core.time.Scheduler;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives providers' snapshots and applies the merged configuration: a snapshot equal to the provider's
 * previous one is dropped; a provider's first snapshot is applied at once; after that, a burst from one
 * provider is applied once per {@code providersThrottleDuration}, with its newest state. Everything runs
 * on one thread, so applying never races with itself.
 */
public final class ConfigurationWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigurationWatcher.class);
    /** A provider's problem as shown: enough for an endpoint, the error and the fix. */
    static final int MAX_PROBLEM_CHARS = 1000;

    private final long throttleNanos;
    private final Consumer<Map<String, ConfigurationSnapshot>> apply;
    /** The configuration thread, or null when a test supplied the scheduler. */
    private final ScheduledExecutorService thread;
    private final Scheduler scheduler;
    private final Map<String, ConfigurationSnapshot> latest = new LinkedHashMap<>();
    private final Map<String, Long> quietUntil = new HashMap<>();
    /** By provider, whether it has read its source (or said that it cannot): fed by the providers' contexts. */
    private final ProviderHealth health;
    private boolean applyScheduled;

    /**
     * @param throttle the minimum time between two applications caused by the same provider
     * @param apply builds and swaps in the runtime for the newest snapshots (by provider)
     */
    public ConfigurationWatcher(Duration throttle, Consumer<Map<String, ConfigurationSnapshot>> apply) {
        this(throttle, apply, new ProviderHealth());
    }

    /**
     * @param health where each provider's context records what the provider says of its source
     */
    public ConfigurationWatcher(Duration throttle, Consumer<Map<String, ConfigurationSnapshot>> apply,
            ProviderHealth health) {
        this(throttle, apply, health, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-config");
            t.setDaemon(true);
            return t;
        }));
    }

    private ConfigurationWatcher(Duration throttle, Consumer<Map<String, ConfigurationSnapshot>> apply,
            ProviderHealth health, ScheduledExecutorService thread) {
        this(throttle, apply, health, thread, Scheduler.of(thread));
    }

    /**
     * A watcher on {@code scheduler}'s time and thread (which must run its tasks one at a time), for tests;
     * closing it leaves the scheduler alone.
     */
    ConfigurationWatcher(Duration throttle, Consumer<Map<String, ConfigurationSnapshot>> apply, Scheduler scheduler) {
        this(throttle, apply, new ProviderHealth(), null, scheduler);
    }

    private ConfigurationWatcher(Duration throttle, Consumer<Map<String, ConfigurationSnapshot>> apply,
            ProviderHealth health, ScheduledExecutorService thread, Scheduler scheduler) {
        this.health = health;
        this.throttleNanos = throttle.toNanos();
        this.apply = apply;
        this.thread = thread;
        this.scheduler = scheduler;
    }

    /** The context handed to the provider called {@code provider}; the provider counts as starting from now. */
    public ProviderContext contextFor(String provider) {
        health.starting(provider);
        return new ProviderContext() {
            @Override
            public void publish(ConfigurationSnapshot snapshot) {
                Objects.requireNonNull(snapshot, "snapshot");
                health.published(provider, snapshot);
                scheduler.execute(() -> received(provider, snapshot));
            }

            @Override
            public void reportUnavailable(String problem) {
                // A plugin's words, often quoting what its source answered: one bounded line in the log, API and dashboard.
                health.unavailable(provider, problem == null || problem.isBlank() ? "cannot read its source"
                        : LogText.escape(problem, MAX_PROBLEM_CHARS));
            }
        };
    }

    /** What the providers said of their sources. */
    public ProviderHealth health() {
        return health;
    }

    private void received(String provider, ConfigurationSnapshot snapshot) {
        if (snapshot.equals(latest.get(provider))) {
            LOG.debug("Provider {} published an unchanged configuration; skipped", provider);
            return;
        }
        latest.put(provider, snapshot);
        if (applyScheduled) {
            return;   // the pending application reads the newest snapshots when it runs
        }
        long now = scheduler.nanoTime();
        Long until = quietUntil.get(provider);
        long delay = until == null ? 0 : Math.max(0, until - now);
        quietUntil.put(provider, now + delay + throttleNanos);
        applyScheduled = true;
        scheduler.schedule(this::applyNow, Duration.ofNanos(delay));
    }

    private void applyNow() {
        applyScheduled = false;
        try {
            apply.accept(Map.copyOf(latest));
        } catch (RuntimeException | Error e) {
            // Elements fail alone in the builder, so this is a gateway bug: one line where users look, the trace at
            // DEBUG (a configuration that reaches this on every change must not write a trace each time).
            LOG.error("Applying the new configuration failed; the previous one keeps serving: {}", FailureReasons.of(e));
            LOG.debug("Applying the new configuration failed", e);
        }
    }

    /**
     * Waits, up to {@code timeout}, until each of {@code providers} has published once (or said that it cannot
     * read its source: there is nothing to wait for then) and what they published has been applied: so that the
     * start log's "ready" means the routes are there.
     */
    public void awaitFirstSnapshots(Collection<String> providers, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!providers.stream().allMatch(this::spoke) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        // First snapshots are applied without delay, by a task that receiving them schedules; a task queued
        // from the configuration thread after the snapshots were received runs after that application.
        CountDownLatch drained = new CountDownLatch(1);
        scheduler.execute(() -> scheduler.execute(drained::countDown));
        drained.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private boolean spoke(String provider) {
        ProviderHealth.Status status = health.status(provider);
        return status != null && status.state() != ProviderHealth.State.STARTING;
    }

    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
