package dev.gatehouse.plugins.middlewares.retry;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code retry}: sends the request through the rest of the chain again, up to {@code attempts} times in all, when
 * the gateway could not reach a server for it (connection refused or failed, no server available), as Traefik
 * retries on network errors and never on HTTP statuses. An attempt's error response is held back, so the client
 * only sees the last one. A request is never sent again once any of its body was read from the client.
 */
@Extension
public final class Retry implements Middleware<Retry.Config> {

    /** Go's backoff library's default randomization: each wait is between half and one and a half times its interval. */
    static final double RANDOMIZATION = 0.5;

    /**
     * @param attempts how many times in all the request may be sent; required, at least 1
     * @param initialInterval the wait before the first retry; later waits grow exponentially up to twice as much;
     *     none or 0 retries at once
     */
    public record Config(Integer attempts, Duration initialInterval) {
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
    public Handler.Wrapper create(Config config) {
        if (config == null || config.attempts() == null || config.attempts() <= 0) {
            throw new IllegalArgumentException("'attempts' is required and must be at least 1"
                    + (config == null || config.attempts() == null ? "" : ", not " + config.attempts()));
        }
        Duration initial = config.initialInterval() == null ? Duration.ZERO : config.initialInterval();
        if (initial.isNegative()) {
            throw new IllegalArgumentException("'initialInterval' cannot be negative");
        }
        return new RetryHandler(config.attempts(), new Backoff(config.attempts(), initial));
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
        private final int attempts;
        private final Backoff backoff;

        RetryHandler(int attempts, Backoff backoff) {
            this.attempts = attempts;
            this.backoff = backoff;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (attempts == 1) {
                return super.handle(request, response, callback);
            }
            return new Run(new WatchedRequest(request), response, callback).attempt(1);
        }

        /** One client request and its attempts. */
        private final class Run {
            private final WatchedRequest request;
            private final Response response;
            private final Callback callback;
            private final HttpFields before;
            private final int statusBefore;

            Run(WatchedRequest request, Response response, Callback callback) {
                this.request = request;
                this.response = response;
                this.callback = callback;
                this.before = HttpFields.build(response.getHeaders()).asImmutable();
                this.statusBefore = response.getStatus();
            }

            /** Runs attempt {@code n}; false only when the first is not handled at all. */
            boolean attempt(int n) {
                request.removeAttribute(MiddlewareContext.Attributes.NOT_FORWARDED);
                boolean last = n >= attempts;
                Holding holding = last ? null : new Holding(request, response);
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

            /** Attempt {@code n} never reached a server: forget its response and try again after the backoff. */
            private void retry(int n) {
                HttpFields.Mutable headers = response.getHeaders();
                headers.clear();
                headers.add(before);
                response.setStatus(statusBefore >= 100 ? statusBefore : 200);
                long wait = backoff.waitNanos(n);
                if (wait <= 0) {
                    attempt(n + 1);
                } else {
                    request.getComponents().getScheduler().schedule(() -> attempt(n + 1), wait, TimeUnit.NANOSECONDS);
                }
            }
        }

        /**
         * The response of an attempt that may be retried: held back until its first write (or its end without one),
         * then dropped when the gateway says the request was not forwarded and none of its body was read, else let
         * through.
         */
        private static final class Holding extends Response.Wrapper {
            private final WatchedRequest request;
            /** 0 undecided, 1 passed through, 2 to retry. */
            private volatile int state;

            Holding(WatchedRequest request, Response response) {
                super(request, response);
                this.request = request;
            }

            boolean decide() {
                if (state == 0) {
                    boolean retry = request.getAttribute(MiddlewareContext.Attributes.NOT_FORWARDED) != null
                            && !request.consumed && !getWrapped().isCommitted();
                    state = retry ? 2 : 1;
                }
                return state == 2;
            }

            @Override
            public void write(boolean last, ByteBuffer content, Callback callback) {
                if (decide()) {
                    callback.succeeded();
                } else {
                    super.write(last, content, callback);
                }
            }
        }
    }

    /** The client's request, noting whether any of its body was read (then it can never be sent again). */
    static final class WatchedRequest extends Request.Wrapper {
        volatile boolean consumed;

        WatchedRequest(Request request) {
            super(request);
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
