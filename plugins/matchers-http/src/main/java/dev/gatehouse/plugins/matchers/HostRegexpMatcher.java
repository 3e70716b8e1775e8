package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code HostRegexp(`^.+\.example\.com$`)}: the request's host, lower-cased and without the port as Traefik
 * canonises it, searched for the Go (RE2) regexp. Upper-case letters in the pattern therefore never match a
 * host letter; {@code (?i)} is harmless. Unanchored patterns match anywhere: {@code example} matches
 * {@code www.example.com}.
 */
@Extension
public final class HostRegexpMatcher implements Matcher {

    @Override
    public String name() {
        return "HostRegexp";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        Matcher.requireArguments(this, arguments, 1);
        String regexp = arguments.get(0);
        Regexps.requireAscii(name(), regexp);
        Pattern pattern = Regexps.compile(name(), regexp);
        return request -> Regexps.find(pattern, request.host());
    }
}
