package dev.gatehouse.plugins.middlewares.ip;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.api.net.IpBlock;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code ipAllowList}: only clients whose IP (by {@code ipStrategy}) is in {@code sourceRange} go on; others get
 * {@code rejectStatusCode} (403 by default) with its reason phrase.
 */
@Extension
public final class IpAllowList implements Middleware<IpAllowList.Config> {

    public record Config(List<String> sourceRange, SourceCriterion.IpStrategyConfig ipStrategy, Integer rejectStatusCode) {
    }

    @Override
    public String name() {
        return "ipAllowList";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null || config.sourceRange() == null || config.sourceRange().isEmpty()) {
            throw new IllegalArgumentException("'sourceRange' is empty: list the IPs or CIDR blocks to allow");
        }
        List<IpBlock> ranges = new ArrayList<>();
        for (String range : config.sourceRange()) {
            try {
                ranges.add(IpBlock.parse(range));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'sourceRange': " + e.getMessage());
            }
        }
        IpBlock[] allowed = ranges.toArray(IpBlock[]::new);
        SourceCriterion strategy = SourceCriterion.ipStrategy(config.ipStrategy());
        int reject = config.rejectStatusCode() == null || config.rejectStatusCode() == 0 ? HttpStatus.FORBIDDEN_403
                : config.rejectStatusCode();
        if (reject < 100 || reject > 599) {
            throw new IllegalArgumentException("'rejectStatusCode' must be an HTTP status code (100 to 599), not " + reject);
        }
        byte[] body = HttpStatus.getMessage(reject).getBytes(StandardCharsets.UTF_8);
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] address = IpBlock.address(strategy.extract(request));
                if (address != null) {
                    for (IpBlock block : allowed) {
                        if (block.contains(address)) {
                            return super.handle(request, response, callback);
                        }
                    }
                }
                response.setStatus(reject);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        };
    }
}
