package dev.gatehouse.core.time;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The time a component reads and the thread its delayed work runs on, as one injectable object: the gateway
 * uses the system's ({@link #of}); a test passes a manual one that it advances, so that a throttle or a failure
 * window is tested without waiting for it and without asserting on wall time.
 */
public interface Scheduler {

    /** Now, in nanoseconds from an arbitrary origin (only differences mean anything), as {@link System#nanoTime()}. */
    long nanoTime();

    /** Runs {@code task} soon (one at a time and in order when the scheduler has one thread, as the watcher's). */
    void execute(Runnable task);

    /**
     * Runs {@code task} once {@code delay} has passed.
     *
     * @throws RejectedExecutionException when the scheduler is shut down (the gateway is stopping)
     */
    void schedule(Runnable task, Duration delay);

    /** The system's clock and {@code executor}'s threads. */
    static Scheduler of(ScheduledExecutorService executor) {
        return new Scheduler() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void execute(Runnable task) {
                executor.execute(task);
            }

            @Override
            public void schedule(Runnable task, Duration delay) {
                executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            }
        };
    }
}
