package dev.gatehouse.core.config;

/**
 * {@code entryPoints.<name>.http2}.
 *
 * @param maxConcurrentStreams how many streams (requests) one HTTP/2 client may have open at once on a connection;
 *        default {@value #DEFAULT_MAX_CONCURRENT_STREAMS}, as in Traefik
 */
public record EntryPointHttp2Config(Integer maxConcurrentStreams) {

    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 250;

    public EntryPointHttp2Config {
        if (maxConcurrentStreams != null && maxConcurrentStreams < 1) {
            throw new InvalidValueException("maxConcurrentStreams", "invalid value " + maxConcurrentStreams
                    + " for '{key}' (expected a number of streams, at least 1)");
        }
    }

    public int maxConcurrentStreamsOrDefault() {
        return maxConcurrentStreams == null ? DEFAULT_MAX_CONCURRENT_STREAMS : maxConcurrentStreams;
    }
}
