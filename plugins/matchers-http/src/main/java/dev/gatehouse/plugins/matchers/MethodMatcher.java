package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import java.util.Locale;
import org.pf4j.Extension;

/** {@code Method(`GET`)}: the request method, compared in upper case. */
@Extension
public final class MethodMatcher implements Matcher {

    @Override
    public String name() {
        return "Method";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        Matcher.requireArguments(this, arguments, 1);
        String method = arguments.get(0).strip().toUpperCase(Locale.ROOT);
        if (method.isEmpty()) {
            throw new IllegalArgumentException("Method needs a method name such as GET");
        }
        return request -> method.equals(request.request().getMethod());
    }
}
