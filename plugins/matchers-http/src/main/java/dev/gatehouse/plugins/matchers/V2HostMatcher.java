package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pf4j.Extension;

/**
 * {@code Host(`a.example.com`, `b.example.com`)} in the v2 rule syntax: the request host (without port, any case)
 * equals one of the hosts; a trailing dot on either side is ignored. No wildcards (v2 used HostRegexp for those).
 * {@code HostHeader} is the same matcher under its other v2 name.
 */
@Extension
public final class V2HostMatcher implements Matcher {

    @Override
    public String name() {
        return "v2:Host";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        V2Templates.requireSome(this, arguments);
        Set<String> hosts = new HashSet<>();
        for (String argument : arguments) {
            Regexps.requireAscii("Host", argument);
            String host = argument.strip().toLowerCase(Locale.ROOT);
            hosts.add(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
        }
        Set<String> hint = Set.copyOf(hosts);
        return new RequestPredicate() {
            @Override
            public boolean test(MatchContext request) {
                String host = request.host();
                return hint.contains(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
            }

            @Override
            public Set<String> possibleHosts() {
                return hint;
            }
        };
    }

    /** {@code HostHeader}: Traefik v2 gives Host a second name. */
    @Extension
    public static final class HostHeader implements Matcher {
        private final V2HostMatcher host = new V2HostMatcher();

        @Override
        public String name() {
            return "v2:HostHeader";
        }

        @Override
        public RequestPredicate compile(List<String> arguments) {
            return host.compile(arguments);
        }
    }
}
