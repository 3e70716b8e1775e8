package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.TcpMatcher;
import dev.gatehouse.api.TcpPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code HostSNIRegexp(`^.+\.example\.com$`)} in TCP rules: the ClientHello's server name (lower case) searched for
 * the Go (RE2) regexp, as Traefik does; a connection without a server name is matched against the empty string.
 */
@Extension
public final class TcpHostSniRegexpMatcher implements TcpMatcher {

    @Override
    public String name() {
        return "HostSNIRegexp";
    }

    @Override
    public TcpPredicate compile(List<String> arguments) {
        TcpMatcher.requireArguments(this, arguments, 1);
        String regexp = arguments.get(0);
        Regexps.requireAscii(name(), regexp);
        Pattern pattern = Regexps.compile(name(), regexp);
        return connection -> Regexps.find(pattern, connection.serverName() == null ? "" : connection.serverName());
    }
}
