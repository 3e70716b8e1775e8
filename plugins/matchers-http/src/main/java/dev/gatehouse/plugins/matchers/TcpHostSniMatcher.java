package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.TcpMatcher;
import dev.gatehouse.api.TcpPredicate;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * {@code HostSNI(`db.example.com`)} in TCP rules: the server name of the ClientHello, without regard to case;
 * {@code *.example.com} matches one label in front of {@code example.com}; {@code HostSNI(`*`)} matches every
 * connection, TLS or not, as in Traefik.
 */
@Extension
public final class TcpHostSniMatcher implements TcpMatcher {

    /** What Traefik accepts: a host name or an IP, optionally starting with {@code *.}. */
    private static final Pattern HOST_OR_IP = Pattern.compile("^(\\*\\.)?[\\w.\\-:]+$");

    @Override
    public String name() {
        return "HostSNI";
    }

    @Override
    public TcpPredicate compile(List<String> arguments) {
        TcpMatcher.requireArguments(this, arguments, 1);
        String host = arguments.get(0);
        if (host.equals("*")) {
            return connection -> true;
        }
        if (!HOST_OR_IP.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + host + "' is not a valid host name");
        }
        String lower = host.toLowerCase(Locale.ROOT);
        String expected = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        if (expected.startsWith("*.")) {
            String suffix = expected.substring(1);   // ".example.com"
            return connection -> {
                String name = connection.serverName();
                return name != null && name.endsWith(suffix) && name.indexOf('.') == name.length() - suffix.length()
                        && name.length() > suffix.length();
            };
        }
        return connection -> expected.equals(connection.serverName());
    }
}
