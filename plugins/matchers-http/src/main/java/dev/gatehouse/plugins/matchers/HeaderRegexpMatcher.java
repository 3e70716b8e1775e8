package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code HeaderRegexp(`Content-Type`, `^application/(json|yaml)$`)}: some value of the header (name in any
 * case) contains a match of the Go (RE2) regexp.
 */
@Extension
public final class HeaderRegexpMatcher implements Matcher {

    @Override
    public String name() {
        return "HeaderRegexp";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        String name = Headers.name(this, arguments);
        Pattern pattern = Regexps.compile(name(), arguments.get(1));
        return request -> Headers.anyFinds(request.request(), name, pattern);
    }
}
