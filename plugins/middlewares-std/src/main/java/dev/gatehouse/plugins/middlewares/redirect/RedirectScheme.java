package dev.gatehouse.plugins.middlewares.redirect;

import com.google.re2j.Pattern;
import dev.gatehouse.api.ForwardedHeaders;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.pf4j.Extension;

/**
 * {@code redirectScheme}: redirects to the same URL with {@code scheme} (and {@code port}) when the client used
 * another scheme. The client's scheme is the connection's, or {@code X-Forwarded-Proto} when the entry point
 * trusts the client's forwarding headers ({@code ws}/{@code wss} count as {@code http}/{@code https}).
 */
@Extension
public final class RedirectScheme implements Middleware<RedirectScheme.Config> {

    private static final Pattern URL = Pattern.compile("^(https?:\\/\\/)?(\\[[\\w:.]+\\]|[\\w\\._-]+)?(:\\d+)?(.*)$");

    public record Config(String scheme, String port, Boolean permanent, Boolean forcePermanentRedirect) {
    }

    @Override
    public String name() {
        return "redirectScheme";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null || config.scheme() == null || config.scheme().isEmpty()) {
            throw new IllegalArgumentException("'scheme' is required (the target scheme, such as https)");
        }
        String scheme = config.scheme();
        String port = config.port() == null ? "" : config.port();
        if (!port.isEmpty()) {
            try {
                int p = Integer.parseInt(port);
                if (p < 1 || p > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'port' must be a port number, not '" + port + "'");
            }
        }
        String portPart = port.isEmpty() || ("http".equals(scheme) && "80".equals(port))
                || ("https".equals(scheme) && "443".equals(port)) ? "" : ":" + port;
        return Redirects.handler(URL, scheme + "://${2}" + portPart + "${4}", Boolean.TRUE.equals(config.permanent()),
                Boolean.TRUE.equals(config.forcePermanentRedirect()), RedirectScheme::clientUrl);
    }

    /** Traefik's clientRequestURL. */
    static String clientUrl(Request request) {
        String scheme = "http";
        String hostHeader = Redirects.hostHeader(request);
        String host = hostHeader;
        String port = "";
        int colon = hostHeader.lastIndexOf(':');
        if (colon >= 0 && hostHeader.indexOf(']', colon) < 0) {
            host = hostHeader.substring(0, colon);
            port = hostHeader.substring(colon);
        }
        String uri = Redirects.requestUri(request);
        var m = Redirects.URI.matcher(uri);
        if (m.find()) {
            scheme = m.group(1);
            if (!Redirects.group(m, 2).isEmpty()) {
                host = m.group(2);
            }
            if (!Redirects.group(m, 3).isEmpty()) {
                port = m.group(3);
            }
            uri = Redirects.group(m, 4);
        }
        if (request.isSecure()) {
            scheme = "https";
        }
        if (ForwardedHeaders.trusted(request)) {
            String proto = request.getHeaders().get("X-Forwarded-Proto");
            if (proto != null && !proto.isEmpty()) {
                if (proto.equalsIgnoreCase("http") || proto.equalsIgnoreCase("ws")) {
                    scheme = "http";
                } else if (proto.equalsIgnoreCase("https") || proto.equalsIgnoreCase("wss")) {
                    scheme = "https";
                }
            }
        }
        if (("http".equals(scheme) && ":80".equals(port)) || ("https".equals(scheme) && ":443".equals(port))) {
            port = "";
        }
        return scheme + "://" + host + port + uri;
    }
}
