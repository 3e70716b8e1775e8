package dev.gatehouse.core.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.AbstractEndPoint;
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
 * must arrive within {@code readTimeout} of its first byte (of the connection's opening, for its first request,
 * as Go counts it), or the connection is closed. The body's share of the same deadline is
 * {@link RequestDeadlines}' (it must fail a read, which only the request can do).
 *
 * <p>The idle timeout ({@code idleTimeout}) then only means what it means in Go: the wait for the next request on
 * a kept-alive connection. While a request is read the read deadline governs; while it waits for its backend
 * nothing does (Traefik's {@code responseHeaderTimeout} is the limit there); while its response is written to a
 * client that does not take it, Jetty's idle timeout still ends it.
 */
final class GuardedHttpConnection extends HttpConnection {

    private final long readTimeoutNanos;
    private final Scheduler scheduler;
    private final long openedAt = NanoTime.now();
    /** When the request whose head is being timed began (a {@link NanoTime}); 0 when none is. */
    private volatile long headStartedAt;

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
    public void onOpen() {
        super.onOpen();
        timeHead(openedAt);
    }

    @Override
    public void onFillable() {
        super.onFillable();
        // Jetty parses as bytes come: when it stops in the middle of a request's head, that head is on the clock.
        HttpParser parser = getParser();
        if (getHttpChannel().getRequest() == null && !parser.isStart() && parser.inHeaderState()) {
            timeHead(parser.getBeginNanoTime());
        }
    }

    private void timeHead(long startedAt) {
        if (readTimeoutNanos <= 0 || headStartedAt == startedAt) {
            return;
        }
        headStartedAt = startedAt;
        long left = readTimeoutNanos - NanoTime.since(startedAt);
        scheduler.schedule(() -> onHeadDeadline(startedAt), Math.max(0, left), TimeUnit.NANOSECONDS);
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
        if (startedAt == openedAt) {
            return getMessagesIn() == 0;   // the first request: none has arrived since the connection opened
        }
        return !parser.isStart() && parser.inHeaderState() && parser.getBeginNanoTime() == startedAt;
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        if (getHttpChannel().getRequest() != null) {
            // A request is being handled. A client that does not take its response is still cut off by the idle
            // timeout, and so is a slow body when no read deadline applies; waiting for the backend is not idleness.
            boolean writing = getEndPoint() instanceof AbstractEndPoint endPoint && endPoint.getWriteFlusher().isPending();
            boolean readingWithoutDeadline = readTimeoutNanos <= 0 && isFillInterested();
            return (writing || readingWithoutDeadline) && super.onIdleExpired(timeout);
        }
        boolean headOnTheClock = readTimeoutNanos > 0 && (!getParser().isStart() || getMessagesIn() == 0);
        return !headOnTheClock && super.onIdleExpired(timeout);
    }
}
