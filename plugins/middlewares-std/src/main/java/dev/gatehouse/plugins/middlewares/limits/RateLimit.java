package dev.gatehouse.plugins.middlewares.limits;

import dev.gatehouse.api.Counter;
import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.Responses;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code rateLimit}: a token bucket per source, {@code average} requests per {@code period} (1s by default) with
 * bursts of {@code burst} (1 by default). As in Traefik, a request that would wait at most half the interval between
 * tokens (0.5s for rates under one a second) is delayed rather than refused, without holding a thread (the
 * server's scheduler resumes it); longer waits get 429 with {@code Retry-After} (seconds, rounded up) and
 * {@code X-Retry-In}. {@code average: 0} disables the limit.
 *
 * <p>The buckets are this instance's own, in memory, unless {@code redis} is set (Traefik v3.4+): then they are
 * held in Redis, one hash per middleware and source ({@code rate:<name@provider>:<source>}), and every instance that
 * uses the same Redis and the same middleware name shares them ({@link RedisBuckets}). While Redis cannot answer, each
 * instance decides with its own in-memory buckets, says so in its log ({@link RedisLimits}) and counts each such
 * request in {@value #FALLBACK_COUNTER} by middleware.
 */
@Extension
public final class RateLimit implements Middleware<RateLimit.Config> {

    /** How many sources are tracked at most before full buckets are dropped. */
    static final int MAX_SOURCES = 65_536;

    /**
     * @param redis where the buckets are held when several instances share them; null: in this instance's memory
     */
    public record Config(Long average, Duration period, Long burst, SourceCriterion.Config sourceCriterion, Redis redis) {

        /** Without {@code redis}: the in-memory limiter. */
        public Config(Long average, Duration period, Long burst, SourceCriterion.Config sourceCriterion) {
            this(average, period, burst, sourceCriterion, null);
        }
    }

    /**
     * Traefik's {@code rateLimit.redis}. Traefik's go-redis pool options ({@code poolSize}, {@code minIdleConns},
     * {@code maxActiveConns}) are accepted and checked, but lettuce sends every command of an instance over one
     * multiplexed connection, so they change nothing.
     *
     * @param endpoints {@code host:port} of the Redis server (default {@code localhost:6379}), or of nodes of a Redis
     *     Cluster (several)
     * @param db the database selected after connecting; default 0 (and 0 only with a Redis Cluster)
     * @param readTimeout how long an answer may take; default 3s, zero or negative: no limit
     * @param writeTimeout how long sending a command may take; default 3s, zero or negative: no limit
     * @param dialTimeout how long connecting may take; default (and zero or negative) 5s
     */
    public record Redis(List<String> endpoints, String username, String password, Integer db, RedisTls tls,
            Integer poolSize, Integer minIdleConns, Integer maxActiveConns, Duration readTimeout, Duration writeTimeout,
            Duration dialTimeout) {
    }

    /** {@code redis.tls}: the CA to trust, the client certificate and its key (each a file or PEM text), or trust all. */
    public record RedisTls(String ca, String cert, String key, Boolean insecureSkipVerify) {
    }

    /**
     * The requests a {@code redis} limiter decided with this instance's own buckets because Redis could not be used,
     * by middleware: {@code <prefix>_ratelimit_redis_fallback_total{middleware="name@provider"}} in the Prometheus scrape.
     */
    static final String FALLBACK_COUNTER = "ratelimit_redis_fallback";

    private final GatewayEnvironment environment;
    private final Counter fallbacks;

    @Inject
    public RateLimit(GatewayEnvironment environment) {
        this.environment = environment;
        this.fallbacks = environment.counter(FALLBACK_COUNTER, "Requests a rateLimit with redis decided with this "
                + "instance's own buckets because Redis could not be used", "middleware");
    }

    @Override
    public String name() {
        return "rateLimit";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) throws Exception {
        long average = config == null || config.average() == null ? 0 : config.average();
        if (average < 0) {
            throw new IllegalArgumentException("'average' must not be negative");
        }
        Duration period = config == null || config.period() == null || config.period().isZero() ? Duration.ofSeconds(1) : config.period();
        if (period.isNegative()) {
            throw new IllegalArgumentException("'period' must not be negative");
        }
        long burstOption = config == null || config.burst() == null ? 1 : config.burst();
        int burst = (int) Math.min(Integer.MAX_VALUE, Math.max(1, burstOption));
        SourceCriterion source = SourceCriterion.of(config == null ? null : config.sourceCriterion());
        RedisLimits.Settings redis = config == null || config.redis() == null ? null
                : RedisLimits.Settings.of(config.redis(), environment);
        if (average == 0) {
            return new Handler.Wrapper();
        }
        double rate = average * 1e9 / period.toNanos();
        long maxDelay = rate < 1 ? TimeUnit.MILLISECONDS.toNanos(500) : (long) (1e9 / ((long) rate * 2));
        TokenBuckets buckets = new TokenBuckets(rate, burst, maxDelay, MAX_SOURCES);
        if (redis == null) {
            return new Limiter() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) throws Exception {
                    return apply(buckets.take(SourceKeys.bounded(source.extract(request)), System.nanoTime()),
                            request, response, callback);
                }
            };
        }
        String middlewareName = context == null ? null : context.middlewareName();
        if (middlewareName == null || middlewareName.isEmpty()) {
            throw new IllegalArgumentException("'redis' needs the middleware's name, which this gateway did not give");
        }
        return new RedisLimiter(redis, new RedisBuckets(middlewareName, rate, burst, maxDelay), buckets, source,
                fallbacks.series(middlewareName));
    }

    /** Carries a decision out: on to the next handler now or after the delay, or 429. */
    private abstract static class Limiter extends Handler.Wrapper {

        /** Returns what {@link Handler#handle} returns. */
        final boolean apply(TokenBuckets.Decision decision, Request request, Response response, Callback callback)
                throws Exception {
            if (!decision.allowed()) {
                long delay = decision.delayNanos();
                response.getHeaders().put("Retry-After", Long.toString((delay + 999_999_999L) / 1_000_000_000L));
                response.getHeaders().put("X-Retry-In", goDuration(delay));
                return Responses.text(response, callback, HttpStatus.TOO_MANY_REQUESTS_429,
                        HttpStatus.getMessage(HttpStatus.TOO_MANY_REQUESTS_429));
            }
            if (decision.delayNanos() <= 0) {
                return super.handle(request, response, callback);
            }
            getServer().getScheduler().schedule(() -> next(request, response, callback), decision.delayNanos(),
                    TimeUnit.NANOSECONDS);
            return true;
        }

        /** Hands the request on from a thread other than the one that called {@link #handle}. */
        final void next(Request request, Response response, Callback callback) {
            try {
                if (!super.handle(request, response, callback)) {
                    Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                }
            } catch (Throwable t) {
                Response.writeError(request, response, callback, t);
            }
        }

        /** {@link #apply} from a thread other than the one that called {@link #handle}. */
        final void applyLater(TokenBuckets.Decision decision, Request request, Response response, Callback callback) {
            try {
                if (!apply(decision, request, response, callback)) {
                    Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                }
            } catch (Throwable t) {
                Response.writeError(request, response, callback, t);
            }
        }
    }

    /**
     * The buckets in Redis. The request waits for Redis's answer without a thread: the answer comes on lettuce's
     * event loop, and the request goes on from the server's executor, so nothing downstream ever runs on (or blocks)
     * the thread that reads Redis's answers. Holds its Redis connection while started: the connection is shared
     * with every other limiter of the same settings and closed when the last of them stops.
     */
    private static final class RedisLimiter extends Limiter {
        private final RedisLimits.Settings settings;
        private final RedisBuckets redisBuckets;
        private final TokenBuckets ownBuckets;
        private final SourceCriterion source;
        /** This middleware's series of {@link #FALLBACK_COUNTER}. */
        private final Counter.Series fallbacks;
        private volatile RedisLimits.Lease lease;

        RedisLimiter(RedisLimits.Settings settings, RedisBuckets redisBuckets, TokenBuckets ownBuckets,
                SourceCriterion source, Counter.Series fallbacks) {
            this.settings = settings;
            this.redisBuckets = redisBuckets;
            this.ownBuckets = ownBuckets;
            this.source = source;
            this.fallbacks = fallbacks;
        }

        @Override
        protected void doStart() throws Exception {
            lease = RedisLimits.acquire(settings);
            super.doStart();
        }

        @Override
        protected void doStop() throws Exception {
            try {
                super.doStop();
            } finally {
                RedisLimits.Lease held = lease;
                lease = null;
                if (held != null) {
                    held.close();
                }
            }
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            RedisLimits.Lease held = lease;
            if (held == null) {
                return false;   // not started: as any stopped handler
            }
            String client = SourceKeys.bounded(source.extract(request));
            Executor executor = request.getComponents().getExecutor();
            redisBuckets.take(held, client).whenComplete((decision, failure) -> {
                Runnable decide = () -> {
                    TokenBuckets.Decision decided = decision;
                    if (failure != null) {
                        fallbacks.increment();
                        held.failed(redisBuckets.middlewareName(), failure);
                        decided = ownBuckets.take(client, System.nanoTime());
                    }
                    applyLater(decided, request, response, callback);
                };
                try {
                    executor.execute(decide);
                } catch (RejectedExecutionException stopping) {
                    decide.run();   // the server is stopping: answer from here rather than leave the request hanging
                }
            });
            return true;
        }
    }

    /** Go's Duration.String for a wait such as 1.5s or 250ms. */
    static String goDuration(long nanos) {
        if (nanos < 1_000_000_000L) {
            return trim(nanos / 1e6) + "ms";
        }
        return trim(nanos / 1e9) + "s";
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
