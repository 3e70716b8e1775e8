package dev.gatehouse.core.api;

import org.eclipse.jetty.server.Request;

/**
 * {@code api.basePath}: the path under which the API ({@code <base>/api/...}) and the dashboard
 * ({@code <base>/dashboard/}) are served, as in Traefik. The dashboard's page links its files and the API
 * relatively ({@code app.js}, {@code ../api/}), so it works under any base without rewriting.
 *
 * @param prefix the base without its trailing slash: empty for the default {@code /}
 */
public record ApiBasePath(String prefix) {

    public static final ApiBasePath ROOT = new ApiBasePath("");

    /** From the configured value ({@code /}, {@code /traefik}, {@code /traefik/}), already validated. */
    public static ApiBasePath of(String configured) {
        if (configured == null) {
            return ROOT;
        }
        String prefix = configured;
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return new ApiBasePath(prefix);
    }

    /**
     * The request's path below the base ({@code /api/overview} for {@code /traefik/api/overview}), an empty
     * string for the base itself, or null when the request is not under the base.
     */
    public String within(Request request) {
        String path = request.getHttpURI().getPath();
        if (path == null || !path.startsWith(prefix)) {
            return null;
        }
        if (path.length() > prefix.length() && path.charAt(prefix.length()) != '/') {
            return null;   // /traefikfoo is not under /traefik
        }
        return path.substring(prefix.length());
    }
}
