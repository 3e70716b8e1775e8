package dev.gatehouse.plugins.middlewares.retry;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.api.http.BodyReader;
import dev.gatehouse.api.http.ForwardingListener;
import dev.gatehouse.api.http.HeldResponse;
import dev.gatehouse.api.http.PeekedRequest;
import dev.gatehouse.api.http.ResponseHead;
import dev.gatehouse.api.http.StatusRanges;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code retry}: sends the request through the rest of the chain again, up to {@code attempts} times in all, when
 * the gateway could not reach a server for it (connection refused or failed, no server available) and, with
 * {@code status}, when the answer's status is in those ranges (Traefik v3.7). An attempt's response is held back
 * until it is known not to be retried, so the client only sees the last one.
 *
 * <p>A body is sent again only when it is held: with {@code status}, a body of at most
 * {@code maxRequestBodyBytes} is read before the first attempt and replayed to each; a larger one turns the status
 * retries off for that request. Otherwise a request is never sent again once any of its body was read from the
 * client. As in Traefik, status retries are for idempotent methods (not {@code POST}, {@code PATCH},
 * {@code LOCK}) unless {@code retryNonIdempotentMethod}, and none starts once {@code timeout} has passed since the
 * first attempt.
 */
@Extension
public final class Retry implements Middleware<Retry.Config> {

    /** Go's backoff library's default randomization: each wait is between half and one and a half times its interval. */
    static final double RANDOMIZATION = 0.5;

    /** Traefik's default {@code maxRequestBodyBytes}: 2 MiB. */
    static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 2L * 1024 * 1024;

    /**
     * @param attempts how many times in all the request may be sent; required, at least 1
     * @param initialInterval the wait before the first retry; later waits grow exponentially up to twice as much;
     *     none or 0 retries at once
     * @param timeout how long after the first attempt began a response may still be retried; none or 0: no limit
     * @param status status codes and ranges ({@code 503}, {@code 500-599}) whose responses are retried
     * @param maxRequestBodyBytes the largest body held for status retries (default 2 MiB; negative: no limit)
     * @param retryNonIdempotentMethod retry {@code POST}, {@code PATCH} and {@code LOCK} on {@code status} too
     * @param disableRetryOnNetworkError do not retry when the server could not be reached (needs {@code status})
     */
    public record Config(Integer attempts, Duration initialInterval, Duration timeout, List<String> status,
            Long maxRequestBodyBytes, Boolean retryNonIdempotentMethod, Boolean disableRetryOnNetworkError) {

        public Config(Integer attempts, Duration initialInterval) {
            this(attempts, initialInterval, null, null, null, null, null);
        }
    }

    /** The options as one request reads them. */
    record Policy(int attempts, Backoff backoff, long timeoutNanos, StatusRanges status, long maxRequestBodyBytes,
            boolean retryNonIdempotentMethod, boolean retryOnNetworkError) {

        /** Whether a response of {@code method} with a status in {@link #status} may be retried. */
        boolean retriesStatusOf(String method) {
            return !status.isEmpty() && (retryNonIdempotentMethod || isIdempotent(method));
        }

        private static boolean isIdempotent(String method) {
            return !method.equals("POST") && !method.equals("PATCH") && !method.equals("LOCK");
        }
    }

    @Override
    public String name() {
        return "retry";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null || config.attempts() == null || config.attempts() <= 0) {
            throw new IllegalArgumentException("'attempts' is required and must be at least 1"
                    + (config == null || config.attempts() == null ? "" : ", not " + config.attempts()));
        }
        Duration initial = config.initialInterval() == null ? Duration.ZERO : config.initialInterval();
        if (initial.isNegative()) {
            throw new IllegalArgumentException("'initialInterval' cannot be negative");
        }
        Duration timeout = config.timeout() == null ? Duration.ZERO : config.timeout();
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("'timeout' cannot be negative");
        }
        StatusRanges status = StatusRanges.parse("status", config.status());
        boolean retryOnNetworkError = !Boolean.TRUE.equals(config.disableRetryOnNetworkError());
        if (status.isEmpty() && !retryOnNetworkError) {
            throw new IllegalArgumentException("with 'disableRetryOnNetworkError: true' there is nothing left to retry"
                    + " on: give 'status' codes (such as [\"503\"]) or remove 'disableRetryOnNetworkError'");
        }
        long maxBody = config.maxRequestBodyBytes() == null ? DEFAULT_MAX_REQUEST_BODY_BYTES
                : config.maxRequestBodyBytes() < 0 ? Long.MAX_VALUE : config.maxRequestBodyBytes();
        return new RetryHandler(new Policy(config.attempts(), new Backoff(config.attempts(), initial), timeout.toNanos(),
                status, maxBody, Boolean.TRUE.equals(config.retryNonIdempotentMethod()), retryOnNetworkError));
    }

    /**
     * Traefik's exponential backoff: intervals start at {@code initial} and are multiplied by
     * {@code 2^(1/(attempts-1))} after each retry, so the last is twice the first; each wait is randomized by
     * {@value #RANDOMIZATION} around its interval.
     */
    record Backoff(int attempts, Duration initial) {

        /** The interval (before randomization) before retry number {@code retry} (1 for the first). */
        long intervalNanos(int retry) {
            if (attempts < 2 || initial.isZero()) {
                return 0;
            }
            double multiplier = Math.pow(2, 1.0 / (attempts - 1));
            return (long) (initial.toNanos() * Math.pow(multiplier, retry - 1));
        }

        long waitNanos(int retry) {
            long interval = intervalNanos(retry);
            if (interval == 0) {
                return 0;
            }
            double delta = RANDOMIZATION * interval;
            return (long) (interval - delta + ThreadLocalRandom.current().nextDouble() * 2 * delta);
        }
    }

    static final class RetryHandler extends Handler.Wrapper {
        private final Policy policy;

        RetryHandler(Policy policy) {
            this.policy = policy;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (policy.attempts() == 1) {
                return super.handle(request, response, callback);
            }
            if (!policy.retriesStatusOf(request.getMethod())) {
                return new Run(request, null, false, false, response, callback).attempt(1);
            }
            // The body is held first, so that each attempt can be sent it again.
            BodyReader.read(request, policy.maxRequestBodyBytes(), (held, whole) -> {
                try {
                    boolean replayable = whole && held.length <= policy.maxRequestBodyBytes();
                    if (!new Run(request, held, whole, replayable, response, callback).attempt(1)) {
                        Response.writeError(request, response, callback, 404);
                    }
                } catch (Throwable failure) {
                    callback.failed(failure);
                }
            }, callback);
            return true;
        }

        /** One client request and its attempts. */
        private final class Run {
            private final Request original;
            /** The body read before the first attempt (all of it when {@link #replayable}), or null. */
            private final byte[] held;
            private final boolean replayable;
            private final Response response;
            private final Callback callback;
            private final ResponseHead before;
            private final long startNanos = System.nanoTime();
            /** The request as the attempts read it when its body cannot be replayed: one for all of them. */
            private final WatchedRequest once;

            Run(Request original, byte[] held, boolean whole, boolean replayable, Response response, Callback callback) {
                this.original = original;
                this.held = held;
                this.replayable = replayable;
                this.response = response;
                this.callback = callback;
                this.before = ResponseHead.of(response);
                this.once = replayable ? null : new WatchedRequest(held == null ? original : new PeekedRequest(original, held, whole));
            }

            /** Runs attempt {@code n}; false only when the first is not handled at all. */
            boolean attempt(int n) {
                WatchedRequest request = replayable ? new WatchedRequest(new PeekedRequest(original, held, true)) : once;
                boolean last = n >= policy.attempts();
                request.startAttempt(last);
                // Held back until its status is known, then let through, or dropped and sent again.
                HeldResponse holding = last ? null : new HeldResponse(request, response, attempt -> retries(request, attempt));
                Callback done = last ? callback : new Callback() {
                    @Override
                    public void succeeded() {
                        if (holding.decide()) {
                            retry(n);
                        } else {
                            callback.succeeded();
                        }
                    }

                    @Override
                    public void failed(Throwable failure) {
                        if (holding.decide()) {
                            retry(n);
                        } else {
                            callback.failed(failure);
                        }
                    }

                    @Override
                    public InvocationType getInvocationType() {
                        return callback.getInvocationType();
                    }
                };
                try {
                    Handler next = getHandler();
                    if (next == null || !next.handle(request, last ? response : holding, done)) {
                        if (n == 1) {
                            return false;
                        }
                        Response.writeError(request, response, callback, 404);
                    }
                } catch (Throwable failure) {
                    done.failed(failure);
                }
                return true;
            }

            /** Whether the attempt whose request and response these are is to be dropped and sent again. */
            boolean retries(WatchedRequest request, Response attempt) {
                if (attempt.isCommitted()) {
                    return false;
                }
                if (policy.timeoutNanos() > 0 && System.nanoTime() - startNanos >= policy.timeoutNanos()) {
                    return false;
                }
                if (policy.retryOnNetworkError()
                        && request.notForwarded != null
                        && (replayable || !request.consumed)) {
                    return true;
                }
                return replayable && policy.status().contains(attempt.getStatus());
            }

            /** Attempt {@code n} is dropped: forget its response and try again after the backoff. */
            private void retry(int n) {
                before.restore(response);
                long wait = policy.backoff().waitNanos(n);
                if (wait <= 0) {
                    attempt(n + 1);
                } else {
                    original.getComponents().getScheduler().schedule(() -> attempt(n + 1), wait, TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    /**
     * The client's request as one attempt sees it: notes whether any of its body was read (then it can never be sent
     * again) and whether the gateway could not forward it ({@link ForwardingListener}).
     */
    static final class WatchedRequest extends Request.Wrapper implements ForwardingListener {
        volatile boolean consumed;
        /** Why the gateway could not forward the current attempt, or null while it did (or has not yet). */
        volatile Throwable notForwarded;
        /** Whether the current attempt is the last: its failure is then passed on to a retry further out. */
        private volatile boolean last;

        WatchedRequest(Request request) {
            super(request);
        }

        void startAttempt(boolean last) {
            this.notForwarded = null;
            this.last = last;
        }

        @Override
        public void notForwarded(Throwable cause) {
            notForwarded = cause;
            if (last) {
                // This retry has given up: an enclosing one may still send the request again.
                ForwardingListener outer = ForwardingListener.of(getWrapped());
                if (outer != null) {
                    outer.notForwarded(cause);
                }
            }
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            if (chunk != null && (chunk.hasRemaining() || Content.Chunk.isFailure(chunk))) {
                consumed = true;
            }
            return chunk;
        }
    }
}
