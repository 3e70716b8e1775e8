package dev.gatehouse.plugins.middlewares.circuitbreaker;

/**
 * What the circuit breaker measured over the last {@value #BUCKETS} seconds, as oxy's {@code RTMetrics}: requests,
 * network errors (502 and 504 answers), status codes and latencies, in one-second buckets that roll over.
 * Latencies go in buckets 5% wide, so a quantile is within 5% of the true value.
 */
final class Metrics {

    static final int BUCKETS = 10;
    private static final double LATENCY_STEP = Math.log(1.05);
    /** Latency buckets: 5% steps cover 1 µs to about an hour. */
    private static final int LATENCY_SLOTS = 460;

    private final long[] second = new long[BUCKETS];
    private final long[] total = new long[BUCKETS];
    private final long[] networkErrors = new long[BUCKETS];
    private final long[][] statuses = new long[BUCKETS][600];
    private final long[][] latencies = new long[BUCKETS][LATENCY_SLOTS];

    /** Records one answered request. */
    synchronized void record(int status, long latencyNanos, long nowNanos) {
        int bucket = bucket(nowNanos);
        total[bucket]++;
        if (status == 502 || status == 504) {
            networkErrors[bucket]++;
        }
        if (status >= 0 && status < 600) {
            statuses[bucket][status]++;
        }
        latencies[bucket][latencySlot(latencyNanos)]++;
    }

    synchronized void reset() {
        java.util.Arrays.fill(second, 0);
        java.util.Arrays.fill(total, 0);
        java.util.Arrays.fill(networkErrors, 0);
        for (int i = 0; i < BUCKETS; i++) {
            java.util.Arrays.fill(statuses[i], 0);
            java.util.Arrays.fill(latencies[i], 0);
        }
    }

    /** The metrics as of {@code nowNanos}: buckets older than the window are cleared first. */
    synchronized Metrics at(long nowNanos) {
        for (int i = 0; i < BUCKETS; i++) {
            bucket(nowNanos - i * 1_000_000_000L);
        }
        return this;
    }

    private int bucket(long nowNanos) {
        long current = Math.floorDiv(nowNanos, 1_000_000_000L);
        int index = (int) Math.floorMod(current, BUCKETS);
        if (second[index] != current) {
            if (second[index] > current) {
                return index; // an older second than what the slot holds: count it there (rare race)
            }
            second[index] = current;
            total[index] = 0;
            networkErrors[index] = 0;
            java.util.Arrays.fill(statuses[index], 0);
            java.util.Arrays.fill(latencies[index], 0);
        }
        return index;
    }

    private static int latencySlot(long nanos) {
        double micros = Math.max(1, nanos / 1000.0);
        return (int) Math.min(LATENCY_SLOTS - 1, Math.ceil(Math.log(micros) / LATENCY_STEP));
    }

    synchronized double networkErrorRatio() {
        long requests = sum(total);
        return requests == 0 ? 0 : (double) sum(networkErrors) / requests;
    }

    /** Answers with a status in [from, to) over those in [dividendFrom, dividendTo); 0 when there are none of the latter. */
    synchronized double responseCodeRatio(int from, int to, int dividendFrom, int dividendTo) {
        long a = 0;
        long b = 0;
        for (long[] bucket : statuses) {
            for (int code = 0; code < bucket.length; code++) {
                if (code >= from && code < to) {
                    a += bucket[code];
                }
                if (code >= dividendFrom && code < dividendTo) {
                    b += bucket[code];
                }
            }
        }
        return b == 0 ? 0 : (double) a / b;
    }

    /** The latency at {@code quantile} percent, in whole milliseconds (0 without requests). */
    synchronized double latencyAtQuantileMillis(double quantile) {
        long count = sum(total);
        if (count == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(quantile / 100.0 * count);
        long seen = 0;
        for (int slot = 0; slot < LATENCY_SLOTS; slot++) {
            for (long[] bucket : latencies) {
                seen += bucket[slot];
            }
            if (seen >= rank) {
                double micros = Math.exp(slot * LATENCY_STEP);
                return Math.floor(micros / 1000.0);
            }
        }
        return Math.floor(Math.exp((LATENCY_SLOTS - 1) * LATENCY_STEP) / 1000.0);
    }

    private static long sum(long[] values) {
        long sum = 0;
        for (long value : values) {
            sum += value;
        }
        return sum;
    }
}
