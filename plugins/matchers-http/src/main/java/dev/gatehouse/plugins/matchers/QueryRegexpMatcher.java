package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code QueryRegexp(`mobile`, `^(true|yes)$`)}: some {@code mobile} parameter's decoded value contains a
 * match of the Go (RE2) regexp. With one argument it is {@code Query(`mobile`)}, as in Traefik.
 */
@Extension
public final class QueryRegexpMatcher implements Matcher {

    @Override
    public String name() {
        return "QueryRegexp";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        QueryString.requireArguments(this, arguments);
        byte[] name = QueryString.utf8(arguments.get(0));
        if (arguments.size() == 1) {
            return new QueryMatcher.Equals(name, new byte[0]);
        }
        return new Finds(name, Regexps.compile(name(), arguments.get(1)));
    }

    private static final class Finds implements RequestPredicate, QueryString.ValueTest {
        private final byte[] name;
        private final Pattern pattern;

        Finds(byte[] name, Pattern pattern) {
            this.name = name;
            this.pattern = pattern;
        }

        @Override
        public boolean test(MatchContext request) {
            return QueryString.anyValue(request.request().getHttpURI().getQuery(), name, this);
        }

        @Override
        public boolean test(String query, int start, int end) {
            return Regexps.find(pattern, QueryString.decode(query, start, end));
        }
    }
}
