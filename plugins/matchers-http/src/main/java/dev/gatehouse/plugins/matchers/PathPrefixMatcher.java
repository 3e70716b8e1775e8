package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * {@code PathPrefix(`/products`)}: the path starts with the prefix, as plain text, so it also matches
 * {@code /products-for-sale}, as in Traefik.
 */
@Extension
public final class PathPrefixMatcher implements Matcher {

    @Override
    public String name() {
        return "PathPrefix";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        String prefix = PathArguments.single(this, arguments);
        Set<String> hint = Set.of(prefix);
        return new RequestPredicate() {
            @Override
            public boolean test(MatchContext request) {
                return request.path().startsWith(prefix);
            }

            @Override
            public Set<String> possiblePathPrefixes() {
                return hint;
            }
        };
    }
}
