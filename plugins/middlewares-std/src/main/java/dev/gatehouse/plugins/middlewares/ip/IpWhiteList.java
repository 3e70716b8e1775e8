package dev.gatehouse.plugins.middlewares.ip;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.pf4j.Extension;

/**
 * {@code ipWhiteList}: Traefik v2's name of {@link IpAllowList}, which Traefik v3 still accepts with a deprecation
 * warning. The same behaviour; as in Traefik, its options are those of v2 ({@code sourceRange}, {@code ipStrategy}),
 * without {@code rejectStatusCode}: refused clients get 403.
 */
@Extension
public final class IpWhiteList implements Middleware<IpWhiteList.Config> {

    public record Config(List<String> sourceRange, SourceCriterion.IpStrategyConfig ipStrategy) {
    }

    private final IpAllowList allowList = new IpAllowList();

    @Override
    public String name() {
        return "ipWhiteList";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        return allowList.create(config == null ? null
                : new IpAllowList.Config(config.sourceRange(), config.ipStrategy(), null), context);
    }

    @Override
    public List<String> deprecations(Config config) {
        return List.of("middleware type 'ipWhiteList' is deprecated, use 'ipAllowList' instead (same options)");
    }
}
