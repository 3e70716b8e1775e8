package dev.gatehouse.core.metrics;

import dev.gatehouse.api.FailureReasons;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs that a metrics backend could not be reached at most once a minute (a collector that is down would otherwise
 * log at every push), and once when it is reached again. The cause's class and stack are at DEBUG only.
 */
final class PushFailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(PushFailureLog.class);
    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String backend;
    private final String address;
    private final LongSupplier nanoClock;
    private long lastWarnNanos;
    private boolean warned;
    private int suppressed;
    private boolean failing;

    /**
     * @param backend the configuration key, such as {@code metrics.statsD}
     * @param address where it sends to, as the user wrote it
     */
    PushFailureLog(String backend, String address) {
        this(backend, address, System::nanoTime);
    }

    PushFailureLog(String backend, String address, LongSupplier nanoClock) {
        this.backend = backend;
        this.address = address;
        this.nanoClock = nanoClock;
    }

    synchronized void failed(String reason, Throwable cause) {
        failing = true;
        long now = nanoClock.getAsLong();
        if (warned && now - lastWarnNanos < INTERVAL_NANOS) {
            suppressed++;
            LOG.debug("{}: sending metrics to {} failed", backend, address, cause);
            return;
        }
        LOG.warn("{}: could not send metrics to {}: {}{}; retrying at every push (logged at most once a minute)",
                backend, address, reason, suppressed == 0 ? "" : " (" + suppressed + " more failures since the last warning)");
        LOG.debug("{}: sending metrics to {} failed", backend, address, cause);
        warned = true;
        lastWarnNanos = now;
        suppressed = 0;
    }

    synchronized void succeeded() {
        if (failing) {
            failing = false;
            LOG.info("{}: sending metrics to {} works again", backend, address);
        }
    }

    /**
     * A short reason for the log, in words rather than class names: a refused connection, a timeout or an unreachable
     * port anywhere in the chain of causes (the exporters and HTTP clients wrap the socket's error) says so;
     * otherwise the innermost message, without a leading {@code java.net.SomeException: }.
     */
    static String reason(Throwable e) {
        return FailureReasons.of(e);
    }
}
