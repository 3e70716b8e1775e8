package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.TcpMatcher;
import dev.gatehouse.api.TcpPredicate;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code ALPN(`h2`)} in TCP rules: the client offered this protocol in its ClientHello. {@code acme-tls/1} is
 * refused, as in Traefik: that protocol is the ACME TLS-ALPN-01 challenge's, which the gateway answers itself.
 */
@Extension
public final class TcpAlpnMatcher implements TcpMatcher {

    private static final String ACME_TLS_1 = "acme-tls/1";

    @Override
    public String name() {
        return "ALPN";
    }

    @Override
    public TcpPredicate compile(List<String> arguments) {
        TcpMatcher.requireArguments(this, arguments, 1);
        String protocol = arguments.get(0);
        if (protocol.equals(ACME_TLS_1)) {
            throw new IllegalArgumentException("'" + ACME_TLS_1 + "' is not allowed (it is the ACME TLS-ALPN-01 "
                    + "challenge's)");
        }
        return connection -> connection.alpnProtocols().contains(protocol);
    }
}
