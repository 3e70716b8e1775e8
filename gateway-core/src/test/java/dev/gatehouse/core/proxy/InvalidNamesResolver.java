package dev.gatehouse.core.proxy;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * A name resolver for tests that need no DNS server: a name under {@code .invalid} (RFC 6761: it never resolves)
 * fails at once with the {@link UnknownHostException} a lookup of a name that does not exist gives. The machine's
 * own resolver would ask its name server for it (glibc does not answer {@code .invalid} itself), so a test that
 * relied on it would need the network. Other names are looked up as usual, on the calling thread. Records every
 * name it is asked for.
 */
final class InvalidNamesResolver implements SocketAddressResolver {

    /** The names asked for, in order. */
    final List<String> asked = new CopyOnWriteArrayList<>();
    private final SocketAddressResolver others = new SocketAddressResolver.Sync();

    @Override
    public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
        asked.add(host);
        if (host.endsWith(".invalid")) {
            promise.failed(new UnknownHostException(host + ": Name or service not known"));
            return;
        }
        others.resolve(host, port, context, promise);
    }
}
