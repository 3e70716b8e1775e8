package dev.gatehouse.plugins.middlewares.path;

import com.google.re2j.Pattern;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.GoRegex;
import dev.gatehouse.plugins.middlewares.internal.Paths;
import dev.gatehouse.plugins.middlewares.internal.Responses;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code replacePathRegex}: when {@code regex} matches the raw (still percent-encoded) path, every match is replaced
 * by {@code replacement} (Go template syntax: {@code $1}, {@code ${1}}, {@code ${name}}; an empty one deletes the
 * matches) and the old raw path goes in {@code X-Replaced-Path}; no match leaves the request alone. As in Traefik, a
 * result with a bad escape gets 500, and one that is not clean ({@code .} or {@code ..} segments, repeated slashes)
 * gets 400 rather than reach the backend.
 */
@Extension
public final class ReplacePathRegex implements Middleware<ReplacePathRegex.Config> {

    public record Config(String regex, String replacement) {
    }

    @Override
    public String name() {
        return "replacePathRegex";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null || config.regex() == null) {
            throw new IllegalArgumentException("'regex' is required");
        }
        Pattern regex = GoRegex.compile("regex", config.regex().strip());
        String replacement = config.replacement() == null ? "" : config.replacement().strip();
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String old = request.getHttpURI().getPath();
                if (old == null) {
                    old = "";
                }
                if (!regex.matcher(old).find()) {
                    return super.handle(request, response, callback);
                }
                String path = GoRegex.replaceAll(regex, old, replacement);
                if (!Paths.validEscapes(path)) {
                    return Responses.text(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500,
                            "invalid URL escape in the replaced path\n");
                }
                String decoded = Paths.decode(path);
                if (!decoded.isEmpty() && !decoded.equals(Paths.decode(Paths.goJoinPath(path)))) {
                    return Responses.status(response, callback, HttpStatus.BAD_REQUEST_400);
                }
                Request rewritten = RewrittenRequest.of(request, RewrittenRequest.withPath(request, path),
                        RewrittenRequest.withAdded(request, ReplacePath.X_REPLACED_PATH, old));
                return super.handle(rewritten, response, callback);
            }
        };
    }
}
