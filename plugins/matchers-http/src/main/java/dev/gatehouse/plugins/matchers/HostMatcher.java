package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import java.util.Locale;
import org.pf4j.Extension;

/**
 * {@code Host(`example.com`)}: the request's host, compared without regard to case. A leading
 * {@code *.} matches exactly one label: {@code *.example.com} matches {@code a.example.com}, not
 * {@code a.b.example.com} and not {@code example.com}.
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
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.startsWith("*.")) {
            String suffix = host.substring(1);   // ".example.com"
            if (suffix.indexOf('*') >= 0) {
                throw new IllegalArgumentException("Host allows '*' only as the whole first label, as in *.example.com");
            }
            return request -> {
                String h = request.host();
                int labelEnd = h.length() - suffix.length();
                // one non-empty label before the suffix, and no dot inside it
                return labelEnd > 0 && h.endsWith(suffix) && h.lastIndexOf('.', labelEnd - 1) < 0;
            };
        }
        if (host.indexOf('*') >= 0) {
            throw new IllegalArgumentException("Host allows '*' only as the whole first label, as in *.example.com");
        }
        String exact = host;
        return request -> exact.equals(request.host());
    }
}
