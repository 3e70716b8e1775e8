package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.api.net.IpBlock;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * {@code ClientIP(`10.0.0.0/8`, `::1`)} in the v2 rule syntax: the connection peer is one of the IPs or in one of
 * the blocks; forwarded headers are never read.
 */
@Extension
public final class V2ClientIPMatcher implements Matcher {

    @Override
    public String name() {
        return "v2:ClientIP";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        V2Templates.requireSome(this, arguments);
        List<IpBlock> parsed = new ArrayList<>();
        for (String argument : arguments) {
            parsed.add(IpBlock.parse(argument));
        }
        IpBlock[] blocks = parsed.toArray(IpBlock[]::new);
        return request -> {
            if (!(request.request().getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress inet)) {
                return false;
            }
            for (IpBlock block : blocks) {
                if (block.contains(inet.getAddress())) {
                    return true;
                }
            }
            return false;
        };
    }
}
