package dev.gatehouse.plugins.middlewares.limits;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

/**
 * One {@code rateLimit} middleware's token buckets, held in Redis so that every gateway instance using the same Redis
 * shares them: the same semantics as {@link TokenBuckets} (a request takes a token; one that would wait at most the
 * longest delay reserves its token and goes on after the wait; a longer wait is refused), decided by one Lua script
 * that Redis runs atomically, so that concurrent requests through several instances never take the same token.
 *
 * <p>The keys are Traefik's: {@code rate:<middleware name>:<source>} (such as {@code rate:api-limit@file:192.0.2.7};
 * a source longer than {@value SourceKeys#MAX_BYTES} bytes is replaced by its hash, see {@link SourceKeys}),
 * a hash with the fields {@code tokens} and {@code last} (microseconds), expiring once the bucket would be full again:
 * an absent bucket and a full one are the same. Time is Redis's own ({@code TIME}), not each instance's clock, so
 * instances whose clocks disagree still share one rate.
 */
final class RedisBuckets {

    /** What every key starts with, as in Traefik. */
    static final String KEY_PREFIX = "rate:";

    /**
     * KEYS[1]: the bucket. ARGV: tokens per microsecond, burst, the bucket's TTL in seconds, the longest delay in
     * microseconds. Returns {1, delay} (go on after delay microseconds) or {0, wait} (refused; a token is wait
     * microseconds away). Tokens go below zero while delayed requests hold theirs. A clock that went back (a failover
     * to a replica whose clock is behind) refills nothing until it catches up.
     */
    static final String SCRIPT = """
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local clock = redis.call('TIME')
            local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'last')
            local tokens = tonumber(state[1])
            local last = tonumber(state[2])
            if tokens == nil or last == nil then
              tokens = burst
              last = now
            elseif now > last then
              tokens = math.min(burst, tokens + (now - last) * rate)
              last = now
            end
            local wait = 0
            if tokens < 1 then
              wait = math.ceil((1 - tokens) / rate)
            end
            local allowed = wait <= tonumber(ARGV[4])
            if allowed then
              tokens = tokens - 1
            end
            redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'last', string.format('%.0f', last))
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            if allowed then
              return {1, wait}
            end
            return {0, wait}
            """;

    /** The script's SHA-1, which EVALSHA names it by. */
    static final String SCRIPT_SHA = sha1(SCRIPT);

    private final String middlewareName;
    private final String keyPrefix;
    private final String[] arguments;

    /**
     * @param middlewareName {@code name@provider}, the same in every instance
     * @param ratePerSecond tokens added a second
     * @param maxDelayNanos the longest a request is delayed for its token rather than refused
     */
    RedisBuckets(String middlewareName, double ratePerSecond, int burst, long maxDelayNanos) {
        this.middlewareName = middlewareName;
        this.keyPrefix = KEY_PREFIX + middlewareName + ":";
        // After burst / rate seconds unused, a bucket is full again: it may as well not exist (one second more for
        // the rounding), so Redis keeps no key for a client that went away.
        long ttlSeconds = (long) Math.min(Integer.MAX_VALUE, Math.ceil(burst / ratePerSecond) + 1);
        this.arguments = new String[] {
                String.format(Locale.ROOT, "%.17g", ratePerSecond / 1e6),
                Integer.toString(burst),
                Long.toString(ttlSeconds),
                Long.toString(maxDelayNanos / 1_000)};
    }

    String middlewareName() {
        return middlewareName;
    }

    /** The bucket key of {@code source}. */
    String key(String source) {
        return keyPrefix + source;
    }

    /** Takes a token for {@code source}; completes exceptionally when Redis cannot be asked or does not answer in time. */
    CompletionStage<TokenBuckets.Decision> take(RedisLimits.Lease lease, String source) {
        return lease.runScript(SCRIPT, SCRIPT_SHA, key(source), arguments).thenApply(RedisBuckets::decision);
    }

    private static TokenBuckets.Decision decision(List<Object> reply) {
        if (reply == null || reply.size() != 2 || !(reply.get(0) instanceof Long allowed)
                || !(reply.get(1) instanceof Long waitMicros)) {
            throw new IllegalStateException("Redis answered the rate limit script with " + reply);
        }
        return new TokenBuckets.Decision(allowed == 1, waitMicros * 1_000);
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-1", e);
        }
    }
}
