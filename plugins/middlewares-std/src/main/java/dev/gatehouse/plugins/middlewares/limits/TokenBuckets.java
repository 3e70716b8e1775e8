package dev.gatehouse.plugins.middlewares.limits;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One token bucket per source (golang.org/x/time/rate semantics: {@code rate} tokens a second, at most
 * {@code burst}, a request takes one), with bounded memory: past {@code maxSources} buckets, the ones that have
 * refilled completely are dropped (a full bucket behaves exactly like a new one), then, if still too many, the
 * longest unused.
 */
final class TokenBuckets {

    /** What a request gets: go on after {@code delayNanos}, or be refused and retry after {@code delayNanos}. */
    record Decision(boolean allowed, long delayNanos) {
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }
    }

    private final double ratePerNano;
    private final int burst;
    private final long maxDelayNanos;
    private final int maxSources;
    private final long refillNanos;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();

    TokenBuckets(double ratePerSecond, int burst, long maxDelayNanos, int maxSources) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.maxDelayNanos = maxDelayNanos;
        this.maxSources = maxSources;
        this.refillNanos = (long) Math.ceil(burst / ratePerNano);
    }

    Decision take(String source, long now) {
        Bucket bucket = buckets.get(source);
        if (bucket == null) {
            if (buckets.size() >= maxSources) {
                sweep(now);
            }
            bucket = buckets.computeIfAbsent(source, s -> new Bucket(burst, now));
        }
        synchronized (bucket) {
            double tokens = Math.min(burst, bucket.tokens + Math.max(0, now - bucket.last) * ratePerNano);
            bucket.last = Math.max(bucket.last, now);
            if (tokens >= 1) {
                bucket.tokens = tokens - 1;
                return new Decision(true, 0);
            }
            long delay = (long) Math.ceil((1 - tokens) / ratePerNano);
            if (delay <= maxDelayNanos) {
                bucket.tokens = tokens - 1;   // reserved: the request waits for its token
                return new Decision(true, delay);
            }
            bucket.tokens = tokens;
            return new Decision(false, delay);
        }
    }

    int size() {
        return buckets.size();
    }

    private void sweep(long now) {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
                Bucket b = it.next().getValue();
                synchronized (b) {
                    if (now - b.last >= refillNanos) {
                        it.remove();
                    }
                }
            }
            // Still full of active sources: drop the longest unused until there is room for a tenth more.
            int excess = buckets.size() - (maxSources - Math.max(1, maxSources / 10));
            if (excess > 0) {
                buckets.entrySet().stream()
                        .sorted((a, b) -> Long.compare(a.getValue().last, b.getValue().last))
                        .limit(excess)
                        .map(Map.Entry::getKey)
                        .toList()
                        .forEach(buckets::remove);
            }
        } finally {
            sweeping.set(false);
        }
    }
}
