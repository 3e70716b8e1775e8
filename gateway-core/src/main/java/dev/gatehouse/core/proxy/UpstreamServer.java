package dev.gatehouse.core.proxy;

import java.net.URI;
import java.util.Locale;

/**
 * One server a service forwards to, parsed once from its configured URL.
 *
 * @param url the URL as configured, for logs and the API
 * @param scheme {@code http} or {@code https}
 * @param host the host (IPv6 without brackets)
 * @param port the port, the scheme's default when the URL has none
 * @param authority {@code host:port} as sent in {@code Host} when the client's host is not passed
 */
public record UpstreamServer(String url, String scheme, String host, int port, String authority) {

    /** Parses a server URL; the message of the exception says what is wrong with it. */
    public static UpstreamServer parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("server url is empty");
        }
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("server url '" + url + "' is not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("server url '" + url + "' must start with http:// or https://");
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
        return new UpstreamServer(url, scheme, host, port, authority);
    }
}
