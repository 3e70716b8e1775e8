package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code HostRegexp(`{sub:[a-z]+}.example.com`, `example.org`)} in the v2 rule syntax: the request host matches one
 * of the templates as a whole; {@code {name}} alone is one label.
 */
@Extension
public final class V2HostRegexpMatcher implements Matcher {

    @Override
    public String name() {
        return "v2:HostRegexp";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        V2Templates.requireSome(this, arguments);
        Pattern[] patterns = new Pattern[arguments.size()];
        for (int i = 0; i < patterns.length; i++) {
            Regexps.requireAscii("HostRegexp", arguments.get(i));
            patterns[i] = V2Templates.compile("HostRegexp", arguments.get(i), V2Templates.Kind.HOST);
        }
        return V2Templates.any(patterns, MatchContext::host);
    }
}
