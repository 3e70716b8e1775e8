package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code Path(`/api/{id:[0-9]+}`, `/health`)} in the v2 rule syntax: the whole path matches one of the templates.
 */
@Extension
public final class V2PathMatcher implements Matcher {

    @Override
    public String name() {
        return "v2:Path";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        return compilePaths(this, arguments, V2Templates.Kind.PATH);
    }

    static RequestPredicate compilePaths(Matcher matcher, List<String> arguments, V2Templates.Kind kind) {
        V2Templates.requireSome(matcher, arguments);
        String display = matcher.name().substring("v2:".length());
        Pattern[] patterns = new Pattern[arguments.size()];
        for (int i = 0; i < patterns.length; i++) {
            if (!arguments.get(i).startsWith("/")) {
                throw new IllegalArgumentException(display + " value `" + arguments.get(i) + "` must start with /");
            }
            patterns[i] = V2Templates.compile(display, arguments.get(i), kind);
        }
        return V2Templates.any(patterns, MatchContext::path);
    }

    /** {@code PathPrefix(`/api/{version:v[0-9]+}`)}: the path starts with text matching one of the templates. */
    @Extension
    public static final class Prefix implements Matcher {
        @Override
        public String name() {
            return "v2:PathPrefix";
        }

        @Override
        public RequestPredicate compile(List<String> arguments) {
            return compilePaths(this, arguments, V2Templates.Kind.PATH_PREFIX);
        }
    }
}
