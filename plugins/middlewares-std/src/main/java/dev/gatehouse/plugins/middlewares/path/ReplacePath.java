package dev.gatehouse.plugins.middlewares.path;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/** {@code replacePath}: replaces the whole path with {@code path}; the old (raw) path goes in {@code X-Replaced-Path}. */
@Extension
public final class ReplacePath implements Middleware<ReplacePath.Config> {

    public static final String X_REPLACED_PATH = "X-Replaced-Path";

    public record Config(String path) {
    }

    @Override
    public String name() {
        return "replacePath";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        String path = config == null || config.path() == null ? "" : config.path();
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String old = request.getHttpURI().getPath();
                Request rewritten = RewrittenRequest.of(request, RewrittenRequest.withPath(request, path),
                        RewrittenRequest.withAdded(request, X_REPLACED_PATH, old == null ? "" : old));
                return super.handle(rewritten, response, callback);
            }
        };
    }
}
