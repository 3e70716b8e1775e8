package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pf4j.Extension;

/**
 * {@code Host(`example.com`)}: the request's host, compared without regard to case. A leading
 * {@code *.} matches exactly one label: {@code *.example.com} matches {@code a.example.com}, not
 * {@code a.b.example.com} and not {@code example.com}. As in Traefik, the argument must be ASCII (punycode).
 */
@Extension
public final class HostMatcher implements Matcher {

    @Override
    public String name() {
        return "Host";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        Matcher.requireArguments(this, arguments, 1);
        String host = arguments.get(0).strip().toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("Host needs a host name, got an empty one");
        }
        Regexps.requireAscii(name(), host);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.startsWith("*.")) {
            String suffix = host.substring(1);   // ".example.com"
            if (suffix.indexOf('*') >= 0) {
                throw new IllegalArgumentException("Host allows '*' only as the whole first label, as in *.example.com");
            }
            return new Wildcard(suffix);
        }
        if (host.indexOf('*') >= 0) {
            throw new IllegalArgumentException("Host allows '*' only as the whole first label, as in *.example.com");
        }
        return new Exact(host);
    }

    /** The routing index may file this rule under its one host. */
    private record Exact(String host) implements RequestPredicate {
        @Override
        public boolean test(MatchContext request) {
            return host.equals(request.host());
        }

        @Override
        public Set<String> possibleHosts() {
            return Set.of(host);
        }
    }

    /** Any host ending in the suffix with exactly one non-empty label before it; no host set to index by. */
    private record Wildcard(String suffix) implements RequestPredicate {
        @Override
        public boolean test(MatchContext request) {
            String h = request.host();
            int labelEnd = h.length() - suffix.length();
            return labelEnd > 0 && h.endsWith(suffix) && h.lastIndexOf('.', labelEnd - 1) < 0;
        }
    }
}
