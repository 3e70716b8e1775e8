package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code Header(`Content-Type`, `application/yaml`)}: some value of the header (name in any case) equals the
 * given value exactly, case included.
 */
@Extension
public final class HeaderMatcher implements Matcher {

    @Override
    public String name() {
        return "Header";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        String name = Headers.name(this, arguments);
        String value = arguments.get(1);
        return request -> Headers.anyEquals(request.request(), name, value);
    }
}
