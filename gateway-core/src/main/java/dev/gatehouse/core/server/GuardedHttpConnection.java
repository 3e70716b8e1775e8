package dev.gatehouse.core.server;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * An HTTP/1.1 connection that keeps Traefik's (Go's {@code http.Server}'s) time limits on the part of a request
 * Jetty has no deadline for: its request line and headers. Jetty's idle timeout restarts with every byte, so a
 * client sending one header line every few seconds kept a connection forever; here the whole head of a request
 * must arrive within {@code readTimeout} of its first byte, or the connection is closed. (A connection's first
 * request is also timed from the connection's opening, by {@link EntryPointConnector}, as Go counts it.) The
 * body's share of the same deadline is {@link RequestDeadlines}' (it must fail a read, which only the request
 * can do).
 *
 * <p>While a request is being read, the idle timeout ({@code idleTimeout}) does not apply: the read deadline
 * governs, so an idle timeout shorter than the read timeout does not cut a slow but punctual client. Between
 * requests it is what it is in Go, the wait for the next request; while a request is answered it is Jetty's (a
 * client that stops taking its response is cut off after it).
 *
 * <p>With {@link SelectorHandling}, a request that completes on another thread (a proxied one: its end comes on the
 * upstream client's thread) goes on to the connection's next request on that thread, instead of the pool thread Jetty
 * would hand the connection to: there it reads what the client sent next, usually nothing yet, and waits for it
 * without a thread.
 */
final class GuardedHttpConnection extends HttpConnection {

    private final long readTimeoutNanos;
    private final Scheduler scheduler;
    /** When the request whose head is being timed began (a {@link NanoTime}); 0 when none is. */
    private volatile long headStartedAt;
    /** The deadline of that head, cancelled once it is in: a connection's timer must not outlive its need. */
    private volatile Scheduler.Task headTimer;

    private GuardedHttpConnection(HttpConfiguration configuration, Connector connector, EndPoint endPoint,
            EntryPointTimeouts timeouts) {
        super(configuration, connector, endPoint);
        this.readTimeoutNanos = timeouts.readTimeout().toNanos();
        this.scheduler = connector.getScheduler();
    }

    /** Makes {@link GuardedHttpConnection}s, configured as Jetty's factory would configure its own. */
    static final class Factory extends HttpConnectionFactory {

        private final EntryPointTimeouts timeouts;

        Factory(HttpConfiguration configuration, EntryPointTimeouts timeouts) {
            super(configuration);
            this.timeouts = timeouts;
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            GuardedHttpConnection connection = new GuardedHttpConnection(getHttpConfiguration(), connector, endPoint,
                    timeouts);
            connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
            return configure(connection, connector, endPoint);
        }
    }

    @Override
    public void onFillable() {
        super.onFillable();
        if (readTimeoutNanos <= 0) {
            return;
        }
        long timed = headStartedAt;
        if (timed != 0 && !headStillComing(timed)) {
            stopTimingHead();
        }
        // Jetty parses as bytes come: when it stops in the middle of a request's head, that head is on the clock.
        HttpParser parser = getParser();
        if (getHttpChannel().getRequest() == null && !parser.isStart() && parser.inHeaderState()) {
            timeHead(parser.getBeginNanoTime());
        }
    }

    /**
     * Jetty executes the connection itself to resume it when its request completed on another thread, and to read a
     * new connection's first request when the entry point's detection (TLS or not, PROXY protocol) had already read
     * its first bytes. Both run here: the first on the completing thread (see the class comment), the second on the
     * thread that ran the detection (the selector thread for the entry point's own, a pool thread for Jetty's PROXY
     * protocol reader), which would only hand the bytes it read to another. That hand-off was a context switch per
     * new connection, the largest cost of a client that opens a connection per request. Every other task goes to
     * the pool.
     */
    private final Executor resumeOnCompletingThread = task -> {
        if (task == this) {
            task.run();
        } else {
            super.getExecutor().execute(task);
        }
    };

    @Override
    protected Executor getExecutor() {
        return SelectorHandling.ENABLED ? resumeOnCompletingThread : super.getExecutor();
    }

    @Override
    public void onClose(Throwable cause) {
        stopTimingHead();
        super.onClose(cause);
    }

    private void timeHead(long startedAt) {
        if (readTimeoutNanos <= 0 || headStartedAt == startedAt) {
            return;
        }
        stopTimingHead();
        headStartedAt = startedAt;
        long left = readTimeoutNanos - NanoTime.since(startedAt);
        headTimer = scheduler.schedule(() -> onHeadDeadline(startedAt), Math.max(0, left), TimeUnit.NANOSECONDS);
    }

    private void stopTimingHead() {
        Scheduler.Task timer = headTimer;
        headTimer = null;
        headStartedAt = 0;
        if (timer != null) {
            timer.cancel();
        }
    }

    private void onHeadDeadline(long startedAt) {
        if (headStartedAt != startedAt || getEndPoint().getConnection() != this || !getEndPoint().isOpen()) {
            return;   // another request is timed now, or the connection was upgraded or is gone
        }
        if (headStillComing(startedAt)) {
            // Go closes without an answer too: the request is not known well enough to answer it.
            getEndPoint().close(new TimeoutException("request head not received within the read timeout"));
        }
    }

    /** Whether the head timed from {@code startedAt} has not arrived whole (read from another thread: a snapshot). */
    private boolean headStillComing(long startedAt) {
        if (getHttpChannel().getRequest() != null) {
            return false;   // its head is in: a request is being handled
        }
        HttpParser parser = getParser();
        return !parser.isStart() && parser.inHeaderState() && parser.getBeginNanoTime() == startedAt;
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        boolean readingBody = getHttpChannel().getRequest() != null && isFillInterested();
        if (readTimeoutNanos > 0 && (readingBody || headOnTheClock())) {
            return false;   // a request is being read: its read deadline governs, not the gaps between its bytes
        }
        return super.onIdleExpired(timeout);
    }

    /** Whether a request's head is being read (or, on a new connection, awaited) under the read deadline. */
    private boolean headOnTheClock() {
        return getHttpChannel().getRequest() == null && (!getParser().isStart() || getMessagesIn() == 0);
    }
}
