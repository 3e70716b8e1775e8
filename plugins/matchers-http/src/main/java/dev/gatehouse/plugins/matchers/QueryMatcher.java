package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code Query(`mobile`, `true`)}: some {@code mobile} parameter has exactly the value {@code true} (after
 * decoding). With one argument, as in Traefik, the expected value is the empty string:
 * {@code Query(`mobile`)} matches {@code ?mobile} and {@code ?mobile=}, and not {@code ?mobile=1}; use
 * {@code QueryRegexp(`mobile`, `^.*$`)} for "present with any value".
 */
@Extension
public final class QueryMatcher implements Matcher {

    @Override
    public String name() {
        return "Query";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        QueryString.requireArguments(this, arguments);
        return new Equals(QueryString.utf8(arguments.get(0)),
                QueryString.utf8(arguments.size() == 2 ? arguments.get(1) : ""));
    }

    /** Its own test doubles as the value test, so a request allocates nothing. */
    static final class Equals implements RequestPredicate, QueryString.ValueTest {
        private final byte[] name;
        private final byte[] value;

        Equals(byte[] name, byte[] value) {
            this.name = name;
            this.value = value;
        }

        @Override
        public boolean test(MatchContext request) {
            return QueryString.anyValue(request.request().getHttpURI().getQuery(), name, this);
        }

        @Override
        public boolean test(String query, int start, int end) {
            return QueryString.decodedEquals(query, start, end, value);
        }
    }
}
