package dev.gatehouse.plugins.middlewares.path;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.Paths;
import dev.gatehouse.plugins.middlewares.internal.Responses;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import java.util.List;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code stripPrefix}: removes the first of {@code prefixes} (in the order given) that the decoded path starts
 * with, and adds the removed prefix as {@code X-Forwarded-Prefix}. As in Traefik v3 the path may become empty
 * (the backend then gets {@code /}); {@code forceSlash: true} keeps the old behaviour of always starting with
 * {@code /}. A strip that would expose a {@code .} or {@code ..} segment is refused with 400.
 */
@Extension
public final class StripPrefix implements Middleware<StripPrefix.Config> {

    public static final String X_FORWARDED_PREFIX = "X-Forwarded-Prefix";

    public record Config(List<String> prefixes, Boolean forceSlash) {
    }

    @Override
    public String name() {
        return "stripPrefix";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        List<String> prefixes = config == null || config.prefixes() == null ? List.of() : List.copyOf(config.prefixes());
        boolean forceSlash = config != null && Boolean.TRUE.equals(config.forceSlash());
        String[] ordered = prefixes.toArray(String[]::new);
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String raw = request.getHttpURI().getPath();
                if (raw == null) {
                    raw = "";
                }
                String path = Paths.decode(raw);
                for (String prefix : ordered) {
                    if (!path.startsWith(prefix)) {
                        continue;
                    }
                    String strippedPath = strip(path.substring(prefix.length()), forceSlash);
                    if (Paths.hasDotSegment(strippedPath)) {
                        return Responses.status(response, callback, HttpStatus.BAD_REQUEST_400);
                    }
                    int rawEnd = Paths.rawIndexAfter(raw, prefix);
                    String strippedRaw = rawEnd < 0 ? strippedPath : strip(raw.substring(rawEnd), forceSlash);
                    Request rewritten = RewrittenRequest.of(request, RewrittenRequest.withPath(request, strippedRaw),
                            RewrittenRequest.withAdded(request, X_FORWARDED_PREFIX, prefix.strip()));
                    return super.handle(rewritten, response, callback);
                }
                return super.handle(request, response, callback);
            }
        };
    }

    static String strip(String rest, boolean forceSlash) {
        if (forceSlash) {
            return "/" + (rest.startsWith("/") ? rest.substring(1) : rest);
        }
        return Paths.ensureLeadingSlash(rest);
    }
}
