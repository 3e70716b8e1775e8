package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.api.net.IpBlock;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code ClientIP(`192.168.1.0/24`)}: the address of the connection's peer is the IP, or lies in the CIDR
 * block (IPv4 or IPv6). {@code X-Forwarded-For} and the other forwarded headers are never read, as in
 * Traefik: behind another proxy, this is that proxy's address.
 */
@Extension
public final class ClientIPMatcher implements Matcher {

    @Override
    public String name() {
        return "ClientIP";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        Matcher.requireArguments(this, arguments, 1);
        return new InBlock(IpBlock.parse(arguments.get(0)));
    }

    private record InBlock(IpBlock block) implements RequestPredicate {
        @Override
        public boolean test(MatchContext request) {
            SocketAddress remote = request.request().getConnectionMetaData().getRemoteSocketAddress();
            if (!(remote instanceof InetSocketAddress inet)) {
                return false;   // e.g. a Unix domain socket: no IP to match
            }
            return block.contains(inet.getAddress());
        }
    }
}
