package dev.gatehouse.plugins.middlewares.limits;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.Responses;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.pf4j.Extension;

/**
 * {@code rateLimit}: a token bucket per source, {@code average} requests per {@code period} (1s by default) with
 * bursts of {@code burst} (1 by default). As in Traefik, a request that would wait at most half the interval between
 * tokens (0.5s for rates under one a second) is delayed rather than refused, without holding a thread (the
 * server's scheduler resumes it); longer waits get 429 with {@code Retry-After} (seconds, rounded up) and
 * {@code X-Retry-In}. {@code average: 0} disables the limit.
 */
@Extension
public final class RateLimit implements Middleware<RateLimit.Config> {

    /** How many sources are tracked at most before full buckets are dropped. */
    static final int MAX_SOURCES = 65_536;

    public record Config(Long average, Duration period, Long burst, SourceCriterion.Config sourceCriterion) {
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
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
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
        if (average == 0) {
            return new Handler.Wrapper();
        }
        double rate = average * 1e9 / period.toNanos();
        long maxDelay = rate < 1 ? TimeUnit.MILLISECONDS.toNanos(500) : (long) (1e9 / ((long) rate * 2));
        TokenBuckets buckets = new TokenBuckets(rate, burst, maxDelay, MAX_SOURCES);
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                TokenBuckets.Decision decision = buckets.take(source.extract(request), System.nanoTime());
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
                Scheduler scheduler = getServer().getScheduler();
                scheduler.schedule(() -> {
                    try {
                        if (!super.handle(request, response, callback)) {
                            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                        }
                    } catch (Throwable t) {
                        Response.writeError(request, response, callback, t);
                    }
                }, decision.delayNanos(), TimeUnit.NANOSECONDS);
                return true;
            }
        };
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
