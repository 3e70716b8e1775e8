package dev.gatehouse.core.proxy;

import dev.gatehouse.core.tracing.ClientSpanTarget;
import java.net.URI;
import java.util.Locale;

/**
 * One server a service forwards to, parsed once from its configured URL.
 *
 * @param url the URL as configured, for logs and the API
 * @param scheme {@code http} or {@code https} (an {@code h2c://} URL is {@code http} with {@code h2c} set)
 * @param host the host (IPv6 without brackets)
 * @param port the port, the scheme's default when the URL has none
 * @param authority {@code host:port} as sent in {@code Host} when the client's host is not passed
 * @param basePath the path put before the request's path ({@code preservePath}); empty for none
 * @param h2c whether the server speaks HTTP/2 in clear text (prior knowledge)
 */
public record UpstreamServer(String url, String scheme, String host, int port, String authority, String basePath,
        boolean h2c) implements ClientSpanTarget {

    /** Parses a server URL; the message of the exception says what is wrong with it. */
    public static UpstreamServer parse(String url) {
        return parse(url, false);
    }

    /**
     * @param preservePath whether the URL's path is put before each request's path
     */
    public static UpstreamServer parse(String url, boolean preservePath) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("server url is empty");
        }
        if (!url.contains("://")) {
            // 127.0.0.1:8080 is no URL at all for java.net.URI ("illegal character in scheme name"), and
            // localhost:8080 one whose scheme is "localhost": both are a host and port that lack the scheme.
            throw new IllegalArgumentException("server url '" + url + "' must start with http://, https:// or h2c://"
                    + " (did you mean 'http://" + url.strip() + "'?)");
        }
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("server url '" + url + "' is not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean h2c = "h2c".equals(scheme);
        if (h2c) {
            scheme = "http";
        }
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("server url '" + url + "' must start with http://, https:// or h2c://");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("server url '" + url + "' has no host");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(scheme) ? 443 : 80);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        String basePath = "";
        if (preservePath && uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            basePath = uri.getRawPath();
        }
        return new UpstreamServer(url, scheme, host, port, authority, basePath, h2c);
    }

    /** The path and query sent to this server for a request's path and query (never empty). */
    @Override
    public String target(String pathQuery) {
        String path = pathQuery == null || pathQuery.isEmpty() ? "/" : pathQuery;
        if (path.charAt(0) == '?') {
            // A middleware may leave the path empty (stripPrefix of the whole path, as Traefik does): the
            // server gets its base path (or "/") with the query.
            return (basePath.isEmpty() ? "/" : basePath) + path;
        }
        if (basePath.isEmpty()) {
            return path;
        }
        // As Go's singleJoiningSlash: exactly one slash between the two.
        boolean baseSlash = basePath.endsWith("/");
        boolean pathSlash = path.startsWith("/");
        if (baseSlash && pathSlash) {
            return basePath + path.substring(1);
        }
        if (!baseSlash && !pathSlash) {
            return basePath + "/" + path;
        }
        return basePath + path;
    }
}
