package dev.gatehouse.core.runtime;

import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How every stage of a runtime build words what went wrong in one element, so that the others go on. */
final class BuildFailures {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeBuilder.class);

    private BuildFailures() {
    }

    /**
     * The one-line problem for a failure that is not a configuration error (a plugin's bug, a stack overflow on
     * hostile input): the element it happened in fails alone, and its stack trace goes to the DEBUG log only.
     * OutOfMemoryError, and the JVM's other VirtualMachineErrors except StackOverflowError, are not caught: after
     * one the heap or the JVM is in an unknown state, and the launcher's -XX:+ExitOnOutOfMemoryError ends the
     * process so that its supervisor restarts it (the regexp bounds keep configurations from causing one). A
     * stack overflow, by contrast, has unwound the build of that one element and left nothing shared behind.
     */
    static String unexpectedFailure(String element, Throwable failure) {
        if (failure instanceof VirtualMachineError error && !(failure instanceof StackOverflowError)) {
            throw error;
        }
        LOG.debug("Building {} failed", element, failure);
        if (failure instanceof StackOverflowError) {
            return "could not be built: it nests too deeply for the gateway's stack; simplify it";
        }
        String message = failure.getMessage() == null ? "" : failure.getMessage().lines().findFirst().orElse("").strip();
        return "could not be built: " + (message.isEmpty() ? "an internal error (details in the DEBUG log)"
                : shortened(message));
    }

    /** Configured text in a problem: a rule of ten thousand terms must not make a log line of that size. */
    static String shortened(String text) {
        int shown = 200;
        return text.length() <= shown + 40 ? text
                : text.substring(0, shown) + "... (" + text.length() + " characters)";
    }

    static void stopQuietly(LifeCycle component) {
        try {
            component.stop();
        } catch (Exception ignored) {
            // it never served a request
        }
    }
}
