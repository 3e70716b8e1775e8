package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code PathRegexp(`^/(css|js)/`)}: the routing path (see {@code MatchContext.path()}) searched for the Go
 * (RE2) regexp; anchor with {@code ^} and {@code $} for whole-path matches. Unlike Path and PathPrefix, the
 * argument need not start with {@code /}.
 */
@Extension
public final class PathRegexpMatcher implements Matcher {

    @Override
    public String name() {
        return "PathRegexp";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        Matcher.requireArguments(this, arguments, 1);
        Pattern pattern = Regexps.compile(name(), arguments.get(0));
        return request -> Regexps.find(pattern, request.path());
    }
}
