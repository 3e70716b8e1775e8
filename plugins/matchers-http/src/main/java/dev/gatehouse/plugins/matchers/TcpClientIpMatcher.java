package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.TcpMatcher;
import dev.gatehouse.api.TcpPredicate;
import dev.gatehouse.api.net.IpBlock;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code ClientIP(`10.0.0.0/8`)} in TCP rules: the client's address is the IP or lies in the CIDR block; behind a
 * load balancer that sends a trusted PROXY protocol header, the client it names.
 */
@Extension
public final class TcpClientIpMatcher implements TcpMatcher {

    @Override
    public String name() {
        return "ClientIP";
    }

    @Override
    public TcpPredicate compile(List<String> arguments) {
        TcpMatcher.requireArguments(this, arguments, 1);
        IpBlock block = IpBlock.parse(arguments.get(0));
        return connection -> connection.clientAddress() != null && block.contains(connection.clientAddress());
    }
}
