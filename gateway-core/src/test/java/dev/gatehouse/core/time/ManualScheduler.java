package dev.gatehouse.core.time;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose time moves only when the test calls {@link #advance}; every task runs on the test's
 * thread, one at a time, in the order of its due time (then of submission). {@link #execute} runs at once what is
 * due now, so a test sees the effects of a call when it returns, and what did not happen has not happened.
 */
public final class ManualScheduler implements Scheduler {

    private record Task(long dueNanos, long order, Runnable runnable) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
            ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.order, b.order));
    private long now = 1_000_000_000L;
    private long submitted;
    private boolean running;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void execute(Runnable task) {
        queue.add(new Task(now, submitted++, task));
        runDue();
    }

    @Override
    public synchronized void schedule(Runnable task, Duration delay) {
        queue.add(new Task(now + delay.toNanos(), submitted++, task));
    }

    /** Moves the time on by {@code duration}, running the tasks that fall due, each at its due time. */
    public synchronized void advance(Duration duration) {
        long target = now + duration.toNanos();
        while (!queue.isEmpty() && queue.peek().dueNanos <= target) {
            now = Math.max(now, queue.peek().dueNanos);
            runDue();
        }
        now = target;
    }

    /** How many tasks wait for their time. */
    public synchronized int pending() {
        return queue.size();
    }

    private void runDue() {
        if (running) {
            return;   // the task running now is in the loop below, which picks this one up after it
        }
        running = true;
        try {
            while (!queue.isEmpty() && queue.peek().dueNanos <= now) {
                queue.poll().runnable().run();
            }
        } finally {
            running = false;
        }
    }
}
