package dev.gatehouse.core.config.dynamic;

import java.util.List;

/**
 * {@code http.services.<name>.mirroring}: requests go to {@code service}; a share of them is also copied to
 * each mirror, whose answers are discarded.
 *
 * @param service the main service
 * @param mirrors the mirrors
 * @param maxBodySize the largest request body mirrored, in bytes; -1 (default) for no limit
 * @param mirrorBody whether bodies are mirrored (default true); when false mirrors get the request without it
 * @param healthCheck accepted for compatibility ({@code {}})
 */
public record MirroringConfig(String service, List<Mirror> mirrors, Long maxBodySize, Boolean mirrorBody,
        Object healthCheck) {

    public MirroringConfig {
        mirrors = Immutables.list(mirrors);
    }

    public long maxBodySizeOrDefault() {
        return maxBodySize == null ? -1 : maxBodySize;
    }

    public boolean mirrorBodyOrDefault() {
        return mirrorBody == null || mirrorBody;
    }

    /**
     * @param name a service name
     * @param percent the share of requests copied to it, 0 to 100; default 0
     */
    public record Mirror(String name, Integer percent) {
        public int percentOrDefault() {
            return percent == null ? 0 : percent;
        }
    }
}
