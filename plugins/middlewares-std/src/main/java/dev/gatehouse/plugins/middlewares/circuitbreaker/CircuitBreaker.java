package dev.gatehouse.plugins.middlewares.circuitbreaker;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code circuitBreaker}: as oxy's {@code cbreaker}, which Traefik uses. Closed (standby), requests pass and are
 * measured; every {@code checkPeriod} the {@code expression} is evaluated over the last ten seconds, and when it
 * holds the breaker trips: for {@code fallbackDuration} every request gets {@code responseCode}. Then it recovers:
 * for {@code recoveryDuration} a share of requests growing linearly from 0 to all passes (the others still get the
 * fallback), the expression still being checked; after that it is closed again.
 */
@Extension
public final class CircuitBreaker implements Middleware<CircuitBreaker.Config> {

    /**
     * @param expression when to trip, such as {@code NetworkErrorRatio() > 0.5}
     * @param checkPeriod how often the expression is evaluated; default 100ms
     * @param fallbackDuration how long the breaker stays tripped; default 10s
     * @param recoveryDuration how long traffic takes to ramp back up; default 10s
     * @param responseCode the status answered while tripped; default 503
     */
    public record Config(String expression, Duration checkPeriod, Duration fallbackDuration, Duration recoveryDuration,
            Integer responseCode) {
    }

    @Override
    public String name() {
        return "circuitBreaker";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        return breaker(config, System::nanoTime);
    }

    Breaker breaker(Config config, LongSupplier clock) {
        if (config == null) {
            throw new IllegalArgumentException("'expression' is required");
        }
        Predicate<Metrics> condition = Expression.parse(config.expression());
        int responseCode = config.responseCode() == null || config.responseCode() == 0 ? 503 : config.responseCode();
        if (responseCode < 100 || responseCode > 599) {
            throw new IllegalArgumentException("'responseCode': " + responseCode + " is not an HTTP status");
        }
        return new Breaker(condition, positive(config.checkPeriod(), Duration.ofMillis(100), "checkPeriod"),
                positive(config.fallbackDuration(), Duration.ofSeconds(10), "fallbackDuration"),
                positive(config.recoveryDuration(), Duration.ofSeconds(10), "recoveryDuration"), responseCode, clock);
    }

    private static long positive(Duration value, Duration fallback, String option) {
        if (value == null || value.isZero()) {
            return fallback.toNanos();
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException("'" + option + "' cannot be negative");
        }
        return value.toNanos();
    }

    enum State { STANDBY, TRIPPED, RECOVERING }

    static final class Breaker extends Handler.Wrapper {
        /** The status the gateway records for a client that went away before its answer (as Traefik and nginx). */
        private static final int CLIENT_CLOSED_REQUEST = 499;

        private final Predicate<Metrics> condition;
        private final long checkPeriod;
        private final long fallbackDuration;
        private final long recoveryDuration;
        private final int responseCode;
        private final byte[] fallbackBody;
        private final LongSupplier clock;
        private final Metrics metrics = new Metrics();

        private volatile State state = State.STANDBY;
        /** Until when the breaker stays tripped, or recovers. */
        private long until;
        private volatile long nextCheck;
        /** Recovery's ramp: when it started, and the requests let through and refused so far. */
        private long recoveryStart;
        private long allowed;
        private long denied;

        Breaker(Predicate<Metrics> condition, long checkPeriod, long fallbackDuration, long recoveryDuration,
                int responseCode, LongSupplier clock) {
            this.condition = condition;
            this.checkPeriod = checkPeriod;
            this.fallbackDuration = fallbackDuration;
            this.recoveryDuration = recoveryDuration;
            this.responseCode = responseCode;
            String reason = HttpStatus.getMessage(responseCode);
            this.fallbackBody = (reason == null ? "" : reason).getBytes(StandardCharsets.UTF_8);
            this.clock = clock;
            this.nextCheck = clock.getAsLong();
        }

        State state() {
            return state;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (fallback()) {
                response.setStatus(responseCode);
                response.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
                response.write(true, ByteBuffer.wrap(fallbackBody), callback);
                return true;
            }
            long start = clock.getAsLong();
            Callback measured = new Callback() {
                @Override
                public void succeeded() {
                    done(response.getStatus() == 0 ? 200 : response.getStatus());
                    callback.succeeded();
                }

                @Override
                public void failed(Throwable failure) {
                    // Nothing was sent: a server error, unless the gateway marked the request 499 (Client Closed
                    // Request: the client went away), which is the client's doing and counts as Traefik counts it.
                    int status = response.getStatus();
                    done(response.isCommitted() || status == CLIENT_CLOSED_REQUEST ? status : 500);
                    callback.failed(failure);
                }

                private void done(int status) {
                    long now = clock.getAsLong();
                    metrics.record(status, now - start, now);
                    checkAndSet(now);
                }

                @Override
                public InvocationType getInvocationType() {
                    return callback.getInvocationType();
                }
            };
            if (!super.handle(request, response, measured)) {
                return false;
            }
            return true;
        }

        /** Whether this request gets the fallback (oxy's activateFallback). */
        private boolean fallback() {
            if (state == State.STANDBY) {
                return false;
            }
            synchronized (this) {
                long now = clock.getAsLong();
                switch (state) {
                    case STANDBY:
                        return false;
                    case TRIPPED:
                        if (now - until < 0) {
                            return true;
                        }
                        state = State.RECOVERING;
                        until = now + recoveryDuration;
                        recoveryStart = now;
                        allowed = 0;
                        denied = 0;
                        // fall through: recovering
                    case RECOVERING:
                    default:
                        if (now - until > 0) {
                            state = State.STANDBY;
                            return false;
                        }
                        return !allowRequest(now);
                }
            }
        }

        /** oxy's ratio controller: let this one through if that keeps the share let through under the ramp. */
        private boolean allowRequest(long now) {
            double target = (double) (now - recoveryStart) / recoveryDuration;
            double ratio = (double) (allowed + 1) / (allowed + 1 + denied);
            if (ratio < target) {
                allowed++;
                return true;
            }
            denied++;
            return false;
        }

        /** Evaluates the expression at most once per check period; trips when it holds. */
        private void checkAndSet(long now) {
            if (now - nextCheck < 0) {
                return;
            }
            synchronized (this) {
                if (now - nextCheck < 0) {
                    return;
                }
                nextCheck = now + checkPeriod;
                if (state == State.TRIPPED) {
                    return;
                }
                if (!condition.test(metrics.at(now))) {
                    return;
                }
                state = State.TRIPPED;
                until = now + fallbackDuration;
                metrics.reset();
            }
        }
    }
}
