package dev.gatehouse.core.server;

import dev.gatehouse.core.http.RequestReadTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The per-request share of an entry point's limits ({@link EntryPointTimeouts}), for every protocol:
 * <ul>
 * <li>{@code readTimeout}: the request body must be in within the read timeout of the request's first byte
 *     (over HTTP/2, of its stream's headers, as Go counts it). When it is not, reading the body fails with a
 *     {@link RequestReadTimeoutException}; the proxy answers that as a client fault. The request's head is
 *     timed by the connection ({@link GuardedHttpConnection}).</li>
 * <li>{@code writeTimeout}: the response must be written within the write timeout of the end of the request's
 *     headers, or the exchange is broken off (HTTP/1.1: the connection is closed, as Go does; HTTP/2: the
 *     stream is ended).</li>
 * <li>{@code keepAliveMaxRequests} / {@code keepAliveMaxTime}: the request that reaches a limit is answered
 *     with {@code Connection: close} (HTTP/2: the connection is shut down gracefully, with GOAWAY), as
 *     Traefik's keep-alive middleware does.</li>
 * </ul>
 * Timers are armed only when needed: the read deadline when a reader waits for body bytes, the write deadline
 * only when one is configured; both are cancelled when the exchange completes.
 */
final class RequestDeadlines extends Callback.Nested implements Runnable {

    private final Request request;
    private final EntryPointTimeouts timeouts;
    private final String entryPoint;
    private final Scheduler scheduler;
    private final Timed timed;
    /** Set once the exchange completes: late timers then do nothing. */
    private volatile boolean completed;
    private Scheduler.Task writeTimer;

    private RequestDeadlines(Request request, Callback callback, EntryPointTimeouts timeouts, String entryPoint,
            boolean readDeadline) {
        super(callback);
        this.request = request;
        this.timeouts = timeouts;
        this.entryPoint = entryPoint;
        this.scheduler = request.getComponents().getScheduler();
        this.timed = readDeadline ? new Timed(request) : null;
    }

    /**
     * Applies the limits to one request. Returns the callback to complete the exchange with (the one given when
     * no deadline applies); {@link #request(Request, Callback)} then gives the request to handle.
     */
    static Callback apply(Request request, Callback callback, EntryPointTimeouts timeouts, String entryPoint) {
        if (timeouts.limitsKeepAlive()) {
            limitKeepAlive(request, timeouts);
        }
        boolean readDeadline = !timeouts.readTimeout().isZero() && mayHaveBody(request);
        if (!readDeadline && timeouts.writeTimeout().isZero()) {
            return callback;
        }
        RequestDeadlines deadlines = new RequestDeadlines(request, callback, timeouts, entryPoint, readDeadline);
        if (!timeouts.writeTimeout().isZero()) {
            deadlines.armWriteDeadline();
        }
        return deadlines;
    }

    /** The request to handle: the one given, or one whose body reads keep the read deadline. */
    static Request request(Request request, Callback applied) {
        return applied instanceof RequestDeadlines deadlines && deadlines.timed != null ? deadlines.timed : request;
    }

    /**
     * Whether the request can have a body still to come. An HTTP/1 request has one only when it says so
     * (Content-Length or Transfer-Encoding); for HTTP/2 and later the headers do not tell, so the reader's demand
     * decides (an ended stream never makes it wait).
     */
    private static boolean mayHaveBody(Request request) {
        if (request.getLength() == 0) {
            return false;
        }
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        if (version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0) {
            return request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        }
        return true;
    }

    private static void limitKeepAlive(Request request, EntryPointTimeouts timeouts) {
        Connection connection = request.getConnectionMetaData().getConnection();
        boolean enough = timeouts.keepAliveMaxRequests() > 0 && connection.getMessagesIn() >= timeouts.keepAliveMaxRequests();
        boolean oldEnough = !timeouts.keepAliveMaxTime().isZero()
                && System.currentTimeMillis() - connection.getCreatedTimeStamp() >= timeouts.keepAliveMaxTime().toMillis();
        if (!enough && !oldEnough) {
            return;
        }
        if (connection instanceof HttpConnection http1) {
            // Says Connection: close on whatever response goes out, error responses included, and closes after it.
            http1.getGenerator().setPersistent(false);
        } else if (connection instanceof HTTP2Connection http2) {
            // What Go does when a handler says Connection: close over HTTP/2: GOAWAY, streams in flight finish.
            http2.getSession().shutdown();
        }
    }

    private void armWriteDeadline() {
        long left = timeouts.writeTimeout().toNanos() - NanoTime.since(request.getHeadersNanoTime());
        Scheduler.Task task = scheduler.schedule(this, Math.max(0, left), TimeUnit.NANOSECONDS);
        synchronized (this) {
            writeTimer = task;
        }
    }

    /** The write deadline passed. */
    @Override
    public void run() {
        if (completed) {
            return;
        }
        TimeoutException timeout = new TimeoutException("the response was not written within entryPoints." + entryPoint
                + ".transport.respondingTimeouts.writeTimeout");
        Connection connection = request.getConnectionMetaData().getConnection();
        if (connection instanceof HttpConnection) {
            connection.getEndPoint().close(timeout);   // as Go: the connection goes, the client sees it end
        } else {
            super.failed(timeout);   // Jetty resets a stream whose response began (else answers 500)
        }
    }

    @Override
    public void succeeded() {
        finish();
        super.succeeded();
    }

    @Override
    public void failed(Throwable x) {
        finish();
        super.failed(x);
    }

    private void finish() {
        completed = true;
        Scheduler.Task task;
        synchronized (this) {
            task = writeTimer;
        }
        if (task != null) {
            task.cancel();
        }
        if (timed != null) {
            timed.cancel();
        }
    }

    /** The request as handlers see it: body reads fail once the read deadline has passed. */
    private final class Timed extends Request.Wrapper implements Runnable {

        /** The reader's callback while it waits for body bytes. */
        private final AtomicReference<Runnable> waiting = new AtomicReference<>();
        /** Given to the wrapped request at each demand: one instance, not a new lambda per body chunk. */
        private final Runnable wake = this::wake;
        private volatile boolean expired;
        private volatile boolean bodyRead;
        private Scheduler.Task timer;

        Timed(Request request) {
            super(request);
        }

        @Override
        public Content.Chunk read() {
            if (expired) {
                return Content.Chunk.from(new RequestReadTimeoutException(entryPoint, timeouts.readTimeout()), true);
            }
            Content.Chunk chunk = super.read();
            if (Content.Chunk.isFailure(chunk, false) && chunk.getFailure() instanceof TimeoutException) {
                // Jetty's idle timeout (per HTTP/2 stream) between two body bytes: a transient failure, so reading
                // may go on, and it does: the read deadline decides when a body is too slow, not a gap in it.
                return null;
            }
            if (chunk != null && chunk.isLast()) {
                bodyRead = true;
                cancel();
            }
            return chunk;
        }

        @Override
        public void demand(Runnable onContentAvailable) {
            if (expired) {
                getComponents().getExecutor().execute(onContentAvailable);
                return;
            }
            arm();
            waiting.set(onContentAvailable);
            super.demand(wake);
        }

        private void wake() {
            Runnable reader = waiting.getAndSet(null);
            if (reader != null) {
                reader.run();
            }
        }

        private synchronized void arm() {
            if (timer == null && !bodyRead && !completed) {
                long left = timeouts.readTimeout().toNanos() - NanoTime.since(getBeginNanoTime());
                timer = scheduler.schedule(this, Math.max(0, left), TimeUnit.NANOSECONDS);
            }
        }

        synchronized void cancel() {
            if (timer != null) {
                timer.cancel();
            }
        }

        /** The read deadline passed: a reader waiting for body bytes gets the failure now, later reads too. */
        @Override
        public void run() {
            if (bodyRead || completed) {
                return;
            }
            expired = true;
            Runnable reader = waiting.getAndSet(null);
            if (reader != null) {
                getComponents().getExecutor().execute(reader);
            }
        }
    }
}
