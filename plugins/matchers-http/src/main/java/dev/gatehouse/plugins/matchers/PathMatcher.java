package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/** {@code Path(`/products`)}: the path exactly; {@code /products/} does not match. */
@Extension
public final class PathMatcher implements Matcher {

    @Override
    public String name() {
        return "Path";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        String path = PathArguments.single(this, arguments);
        Set<String> hint = Set.of(path);   // an exact path is also a prefix: lets the router index it
        return new RequestPredicate() {
            @Override
            public boolean test(MatchContext request) {
                return path.equals(request.path());
            }

            @Override
            public Set<String> possiblePathPrefixes() {
                return hint;
            }
        };
    }
}
