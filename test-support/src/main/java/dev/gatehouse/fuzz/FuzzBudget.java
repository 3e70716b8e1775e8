package dev.gatehouse.fuzz;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * The budget of a fuzz test: how many tries a property gets, and how long and how much memory one try may take.
 *
 * <p>The normal build runs each property with the few hundred tries written on it, so the suite stays fast. A
 * longer run sets {@code -Dgatehouse.fuzz.tries=N}, which replaces the tries of every property of a class that
 * carries {@code @AddLifecycleHook(FuzzBudget.class)} (see docs/fuzzing.md).
 *
 * <p>Each try runs through {@link #call}: on a worker thread, failing the property when it takes longer than
 * {@link #TRY_TIMEOUT_SECONDS} (a hang) or allocates more than {@link #MAX_ALLOCATED_BYTES} (memory out of
 * proportion to an input of a few kilobytes), and passing on whatever it threw, Errors included.
 */
public final class FuzzBudget implements AroundPropertyHook {

    /** The system property that sets the tries of every property. */
    public static final String TRIES_PROPERTY = "gatehouse.fuzz.tries";

    /** How long one try may run. */
    public static final int TRY_TIMEOUT_SECONDS = 10;

    /** How much one try may allocate (not retain): far above what parsing a few kilobytes needs. */
    public static final long MAX_ALLOCATED_BYTES = 512L * 1024 * 1024;

    private static ExecutorService worker = newWorker();

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String tries = System.getProperty(TRIES_PROPERTY);
        boolean example = context.targetMethod().isAnnotationPresent(net.jqwik.api.Example.class);
        if (tries != null && !tries.isBlank() && !example) {
            context.attributes().setTries(Integer.parseInt(tries.strip()));
        }
        return property.execute();
    }

    /** Registered on a test class, the hook reaches every property in it (jqwik's default reaches none). */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    /** Outermost, so that the tries are set before jqwik reads them to start the property. */
    @Override
    public int aroundPropertyProximity() {
        return -100;
    }

    /**
     * Runs one try within the budget.
     *
     * @param input what the try works on, named in the failure message
     * @throws AssertionError on a timeout or too much memory; otherwise what {@code attempt} threw
     */
    public static synchronized <T> T call(Object input, Callable<T> attempt) throws Exception {
        Future<Measured<T>> future = worker.submit(() -> {
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            T value = attempt.call();
            return new Measured<>(value, threads.getCurrentThreadAllocatedBytes() - before);
        });
        Measured<T> measured;
        try {
            measured = future.get(TRY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the stuck thread is abandoned; it is a daemon
            throw new AssertionError("no outcome within " + TRY_TIMEOUT_SECONDS + " s for input: " + describe(input));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
        if (measured.allocated() > MAX_ALLOCATED_BYTES) {
            throw new AssertionError("allocated " + measured.allocated() / (1024 * 1024) + " MB for input: "
                    + describe(input));
        }
        return measured.value();
    }

    /**
     * Fails unless {@code problem} reads as a sentence for a user: not empty, one bounded line, and no Java
     * class names or stack trace (what an unexpected exception's message would bring in).
     */
    public static void assertPlainSentence(String problem) {
        if (problem == null || problem.isBlank() || problem.length() > 4000 || problem.contains("\tat ")
                || problem.contains("java.lang.") || problem.contains("java.util.") || problem.contains("com.fasterxml.")
                || problem.contains("dev.gatehouse.") || problem.contains("Exception")) {
            throw new AssertionError("not a plain sentence: " + problem);
        }
    }

    private record Measured<T>(T value, long allocated) {
    }

    private static String describe(Object input) {
        String text = String.valueOf(input);
        return text.length() <= 2000 ? text : text.substring(0, 2000) + "... (" + text.length() + " characters)";
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(runnable -> {
            // The default stack size, as the gateway's own threads have: a stack overflow here would happen there.
            Thread thread = new Thread(runnable, "fuzz-try");
            thread.setDaemon(true);
            return thread;
        });
    }
}
