package dev.gatehouse.plugins.middlewares.redirect;

import com.google.re2j.Pattern;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.GoRegex;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.pf4j.Extension;

/**
 * {@code redirectRegex}: matches {@code regex} against the full URL the client used
 * ({@code scheme://host[:port]/path?query}) and redirects to {@code replacement} (Go template syntax).
 */
@Extension
public final class RedirectRegex implements Middleware<RedirectRegex.Config> {

    public record Config(String regex, String replacement, Boolean permanent) {
    }

    @Override
    public String name() {
        return "redirectRegex";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null || config.regex() == null || config.regex().isBlank()) {
            throw new IllegalArgumentException("'regex' is required");
        }
        Pattern regex = GoRegex.compile("regex", config.regex());
        String replacement = config.replacement() == null ? "" : config.replacement();
        return Redirects.handler(regex, replacement, Boolean.TRUE.equals(config.permanent()), false, RedirectRegex::rawUrl);
    }

    /** Traefik's rawURL: scheme from the connection (or an absolute request target), Host header as sent. */
    static String rawUrl(Request request) {
        String scheme = "http";
        String host = Redirects.hostHeader(request);
        String port = "";
        String uri = Redirects.requestUri(request);
        var m = Redirects.URI.matcher(uri);
        if (m.find()) {
            scheme = m.group(1);
            if (!Redirects.group(m, 2).isEmpty()) {
                host = m.group(2);
            }
            port = Redirects.group(m, 3);
            uri = Redirects.group(m, 4);
        }
        if (request.isSecure()) {
            scheme = "https";
        }
        return scheme + "://" + host + port + uri;
    }
}
