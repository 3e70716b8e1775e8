package dev.gatehouse.plugins.middlewares.limits;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.Responses;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code inFlightReq}: at most {@code amount} requests at a time per source; more get 429. A request counts until
 * its response is complete (the callback succeeds or fails). Counters of idle sources are removed, so memory
 * follows the number of sources with requests in flight.
 */
@Extension
public final class InFlightReq implements Middleware<InFlightReq.Config> {

    public record Config(Long amount, SourceCriterion.Config sourceCriterion) {
    }

    @Override
    public String name() {
        return "inFlightReq";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null || config.amount() == null || config.amount() <= 0) {
            throw new IllegalArgumentException("'amount' must be a positive number of requests");
        }
        long amount = config.amount();
        SourceCriterion source = SourceCriterion.of(config.sourceCriterion());
        ConcurrentHashMap<String, AtomicLong> inFlight = new ConcurrentHashMap<>();
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String key = source.extract(request);
                boolean[] admitted = new boolean[1];
                inFlight.compute(key, (k, count) -> {
                    AtomicLong c = count == null ? new AtomicLong() : count;
                    if (c.get() < amount) {
                        c.incrementAndGet();
                        admitted[0] = true;
                    }
                    return c.get() == 0 ? null : c;
                });
                if (!admitted[0]) {
                    return Responses.text(response, callback, HttpStatus.TOO_MANY_REQUESTS_429,
                            HttpStatus.getMessage(HttpStatus.TOO_MANY_REQUESTS_429));
                }
                AtomicBoolean released = new AtomicBoolean();
                Runnable release = () -> {
                    if (released.compareAndSet(false, true)) {
                        inFlight.computeIfPresent(key, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
                    }
                };
                Callback counted = new Callback.Nested(callback) {
                    @Override
                    public void succeeded() {
                        release.run();
                        super.succeeded();
                    }

                    @Override
                    public void failed(Throwable x) {
                        release.run();
                        super.failed(x);
                    }
                };
                try {
                    if (super.handle(request, response, counted)) {
                        return true;
                    }
                    release.run();
                    return false;
                } catch (Throwable t) {
                    release.run();
                    throw t;
                }
            }
        };
    }
}
