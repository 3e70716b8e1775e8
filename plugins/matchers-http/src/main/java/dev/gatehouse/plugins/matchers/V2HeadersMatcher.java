package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code Headers(`X-Env`, `prod`)} in the v2 rule syntax: for every name/value pair, the header (name in any case)
 * has the value exactly. An empty name or value is an error, as in Traefik.
 */
@Extension
public final class V2HeadersMatcher implements Matcher {

    @Override
    public String name() {
        return "v2:Headers";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        V2Templates.requirePairs(this, arguments);
        String[] names = new String[arguments.size() / 2];
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = arguments.get(2 * i);
            values[i] = arguments.get(2 * i + 1);
        }
        return request -> {
            for (int i = 0; i < names.length; i++) {
                if (!Headers.anyEquals(request.request(), names[i], values[i])) {
                    return false;
                }
            }
            return true;
        };
    }

    /**
     * {@code HeadersRegexp(`Content-Type`, `^application/(json|yaml)$`)}: for every pair, some value of the header
     * contains a match of the regexp (anchor it to match the whole value).
     */
    @Extension
    public static final class Regexp implements Matcher {
        @Override
        public String name() {
            return "v2:HeadersRegexp";
        }

        @Override
        public RequestPredicate compile(List<String> arguments) {
            V2Templates.requirePairs(this, arguments);
            String[] names = new String[arguments.size() / 2];
            Pattern[] patterns = new Pattern[names.length];
            for (int i = 0; i < names.length; i++) {
                names[i] = arguments.get(2 * i);
                patterns[i] = Regexps.compile("HeadersRegexp", arguments.get(2 * i + 1));
            }
            return request -> {
                for (int i = 0; i < names.length; i++) {
                    if (!Headers.anyFinds(request.request(), names[i], patterns[i])) {
                        return false;
                    }
                }
                return true;
            };
        }
    }
}
