package dev.gatehouse.it;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way tests wait for something another thread does: check a condition every {@value #INTERVAL_MILLIS} ms
 * until it holds, and fail after a bounded time with a message saying what did not happen (and, where given, the
 * state seen last). Returns as soon as the condition holds, so a generous timeout costs nothing when it passes.
 *
 * <pre>{@code
 * Poll.until("the reload applied", Duration.ofSeconds(10), () -> gateway.routerEnabled("app@file"));
 * String body = Poll.untilValue("the backend answers", Duration.ofSeconds(10), () -> get("/app"), b -> b.contains("one"));
 * }</pre>
 */
public final class Poll {

    /** How often the condition is checked. */
    public static final long INTERVAL_MILLIS = 20;

    private Poll() {
    }

    /** A condition to wait for; one that throws counts as not holding yet (its exception is shown on failure). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A value to read until it is done; one that throws counts as not done yet. */
    @FunctionalInterface
    public interface Sample<T> {
        T get() throws Exception;
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @throws AssertionError naming {@code what} after {@code timeout}
     */
    public static void until(String what, Duration timeout, Condition condition) throws InterruptedException {
        Objects.requireNonNull(condition, "condition");
        Sample<Boolean> sample = condition::holds;
        sample(what, timeout, sample, Boolean.TRUE::equals, null);
    }

    /**
     * Waits until {@code condition} holds; the failure after {@code timeout} names {@code what} and the state that
     * {@code state} describes at that moment (for example the files of a folder, the lines of a log).
     */
    public static void until(String what, Duration timeout, Condition condition, Supplier<String> state)
            throws InterruptedException {
        Objects.requireNonNull(condition, "condition");
        Sample<Boolean> sample = condition::holds;
        sample(what, timeout, sample, Boolean.TRUE::equals, Objects.requireNonNull(state, "state"));
    }

    /**
     * Reads {@code value} until it is {@code done}, and returns it; the failure after {@code timeout} names
     * {@code what} and the last value read (a value that throws counts as not done, and its exception is shown).
     */
    public static <T> T untilValue(String what, Duration timeout, Sample<T> value, Predicate<? super T> done)
            throws InterruptedException {
        return sample(what, timeout, value, done, null);
    }

    private static <T> T sample(String what, Duration timeout, Sample<T> value, Predicate<? super T> done,
            Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object last;
            try {
                T current = value.get();
                if (done.test(current)) {
                    return current;
                }
                last = current;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                String seen = state != null ? state.get() : last instanceof Boolean ? null : String.valueOf(last);
                if (state != null && last instanceof Exception) {
                    seen = (seen == null ? "" : seen + "; ") + "last error: " + last;
                }
                throw new AssertionError("not within " + timeout + ": " + what + (seen == null ? "" : "; seen: " + seen));
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
    }
}
