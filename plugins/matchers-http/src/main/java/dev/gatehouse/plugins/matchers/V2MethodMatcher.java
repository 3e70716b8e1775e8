package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pf4j.Extension;

/** {@code Method(`GET`, `HEAD`)} in the v2 rule syntax: the method is one of them (any case in the rule). */
@Extension
public final class V2MethodMatcher implements Matcher {

    @Override
    public String name() {
        return "v2:Method";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        V2Templates.requireSome(this, arguments);
        Set<String> methods = new HashSet<>();
        for (String argument : arguments) {
            methods.add(argument.toUpperCase(Locale.ROOT));
        }
        Set<String> allowed = Set.copyOf(methods);
        return request -> allowed.contains(request.request().getMethod());
    }
}
