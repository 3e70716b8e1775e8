package dev.gatehouse.plugins.middlewares.path;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.GoRegex;
import dev.gatehouse.plugins.middlewares.internal.Paths;
import dev.gatehouse.plugins.middlewares.internal.Responses;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code stripPrefixRegex}: for the first of {@code regex} whose (non-empty) match in the decoded path starts at
 * the beginning of the path, removes the matched text and adds it as {@code X-Forwarded-Prefix}. The expressions
 * are searched, not anchored, as Traefik's are: anchor with {@code ^} when it matters.
 */
@Extension
public final class StripPrefixRegex implements Middleware<StripPrefixRegex.Config> {

    public record Config(List<String> regex) {
    }

    @Override
    public String name() {
        return "stripPrefixRegex";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        List<Pattern> patterns = new ArrayList<>();
        if (config != null && config.regex() != null) {
            for (String regex : config.regex()) {
                patterns.add(GoRegex.compile("regex", regex.strip()));
            }
        }
        Pattern[] expressions = patterns.toArray(Pattern[]::new);
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String raw = request.getHttpURI().getPath();
                if (raw == null) {
                    raw = "";
                }
                String path = Paths.decode(raw);
                for (Pattern expression : expressions) {
                    Matcher m = expression.matcher(path);
                    if (!m.find() || m.end() == m.start() || m.start() != 0) {
                        continue;
                    }
                    String prefix = m.group();
                    String strippedPath = Paths.ensureLeadingSlash(path.substring(prefix.length()));
                    if (Paths.hasDotSegment(strippedPath)) {
                        return Responses.status(response, callback, HttpStatus.BAD_REQUEST_400);
                    }
                    int rawEnd = Paths.rawIndexAfter(raw, prefix);
                    String strippedRaw = rawEnd < 0 ? strippedPath : Paths.ensureLeadingSlash(raw.substring(rawEnd));
                    Request rewritten = RewrittenRequest.of(request, RewrittenRequest.withPath(request, strippedRaw),
                            RewrittenRequest.withAdded(request, StripPrefix.X_FORWARDED_PREFIX, prefix));
                    return super.handle(rewritten, response, callback);
                }
                return super.handle(request, response, callback);
            }
        };
    }
}
