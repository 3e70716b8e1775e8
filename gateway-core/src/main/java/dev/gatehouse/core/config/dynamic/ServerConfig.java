package dev.gatehouse.core.config.dynamic;

/**
 * One server of a load balancer.
 *
 * <pre>{@code
 * servers:
 *   - url: http://10.0.0.5:8080
 *     weight: 3
 * }</pre>
 *
 * @param url the server's base URL, {@code http://10.0.0.5:8080}
 * @param weight its share of the requests relative to the others (default 1; 0 takes it out)
 * @param preservePath when true, the path of {@code url} is put before the request's path (default false:
 *     the request's path is forwarded as it is)
 */
public record ServerConfig(String url, Integer weight, Boolean preservePath) {

    public ServerConfig(String url, Integer weight) {
        this(url, weight, null);
    }

    public int weightOrDefault() {
        return weight == null ? 1 : weight;
    }

    public boolean preservePathOrDefault() {
        return preservePath != null && preservePath;
    }
}
