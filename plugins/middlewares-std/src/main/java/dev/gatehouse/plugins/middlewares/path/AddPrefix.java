package dev.gatehouse.plugins.middlewares.path;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.Paths;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/** {@code addPrefix}: puts {@code prefix} in front of the path before forwarding. */
@Extension
public final class AddPrefix implements Middleware<AddPrefix.Config> {

    /** @param prefix the prefix to add; required */
    public record Config(String prefix) {
    }

    @Override
    public String name() {
        return "addPrefix";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null || config.prefix() == null || config.prefix().isEmpty()) {
            throw new IllegalArgumentException("'prefix' is required and cannot be empty");
        }
        String prefix = config.prefix();
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String raw = request.getHttpURI().getPath();
                String path = Paths.ensureLeadingSlash(prefix + (raw == null ? "" : raw));
                return super.handle(RewrittenRequest.of(request, RewrittenRequest.withPath(request, path), null), response, callback);
            }
        };
    }
}
