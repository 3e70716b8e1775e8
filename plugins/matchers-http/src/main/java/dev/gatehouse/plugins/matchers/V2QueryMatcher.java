package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code Query(`mobile=true`, `page={n:[0-9]+}`)} in the v2 rule syntax: for every {@code name=value} argument, the
 * first value of the parameter matches the value template as a whole; {@code name=} accepts any value, and an
 * argument without {@code =} is an error, as in Traefik v2.
 */
@Extension
public final class V2QueryMatcher implements Matcher {

    @Override
    public String name() {
        return "v2:Query";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        V2Templates.requireSome(this, arguments);
        byte[][] names = new byte[arguments.size()][];
        Pattern[] values = new Pattern[arguments.size()];
        for (int i = 0; i < names.length; i++) {
            String argument = arguments.get(i);
            int eq = argument.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Query in the v2 rule syntax expects name=value arguments, got `"
                        + argument + "`");
            }
            names[i] = QueryString.utf8(argument.substring(0, eq));
            String value = argument.substring(eq + 1);
            values[i] = V2Templates.compile("Query", value.isEmpty() ? "{value}" : value, V2Templates.Kind.QUERY_VALUE);
        }
        return request -> {
            String query = request.request().getHttpURI().getQuery();
            for (int i = 0; i < names.length; i++) {
                Pattern value = values[i];
                boolean[] first = {true};
                boolean matched = QueryString.anyValue(query, names[i], (q, start, end) -> {
                    if (!first[0]) {
                        return false;
                    }
                    first[0] = false;
                    return value.matcher(QueryString.decode(q, start, end)).find();
                });
                if (!matched) {
                    return false;
                }
            }
            return true;
        };
    }
}
