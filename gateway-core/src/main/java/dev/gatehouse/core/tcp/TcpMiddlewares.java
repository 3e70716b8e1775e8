package dev.gatehouse.core.tcp;

import dev.gatehouse.core.config.dynamic.tcp.TcpMiddlewareConfig;
import dev.gatehouse.core.http.IpRanges;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Traefik's TCP middlewares: {@code ipAllowList} and {@code inFlightConn}. */
final class TcpMiddlewares {

    private static final Logger LOG = LoggerFactory.getLogger(TcpMiddlewares.class);

    private TcpMiddlewares() {
    }

    /**
     * What wraps a router's next handler, for one middleware's configuration.
     *
     * @throws IllegalArgumentException saying what is wrong with the configuration
     */
    static UnaryOperator<TcpHandler> of(String name, TcpMiddlewareConfig config) {
        int types = (config.ipAllowList() != null ? 1 : 0) + (config.inFlightConn() != null ? 1 : 0);
        if (types != 1) {
            throw new IllegalArgumentException("a TCP middleware declares exactly one type, ipAllowList or "
                    + "inFlightConn; found " + (types == 0 ? "none" : "both"));
        }
        if (config.ipAllowList() != null) {
            return ipAllowList(name, config.ipAllowList());
        }
        return inFlightConn(config.inFlightConn());
    }

    /** Closes connections from clients outside {@code sourceRange} before anything is forwarded. */
    private static UnaryOperator<TcpHandler> ipAllowList(String name, TcpMiddlewareConfig.IpAllowList config) {
        if (config.sourceRange().isEmpty()) {
            throw new IllegalArgumentException("ipAllowList.sourceRange is empty: give the IPs or CIDRs allowed");
        }
        // The HTTP side's matcher: no allocation per connection.
        IpRanges allowed = IpRanges.parse("ipAllowList.sourceRange", config.sourceRange());
        return next -> tunnel -> {
            InetSocketAddress client = tunnel.clientInetAddress();
            if (client != null && allowed.contains(client.getAddress())) {
                next.handle(tunnel);
            } else {
                LOG.debug("TCP middleware {}: connection from {} refused (not in sourceRange)", name, client);
                tunnel.close();
            }
        };
    }

    /** Closes a client's connection at once when it has {@code amount} open through this middleware already. */
    private static UnaryOperator<TcpHandler> inFlightConn(TcpMiddlewareConfig.InFlightConn config) {
        if (config.amount() == null || config.amount() <= 0) {
            throw new IllegalArgumentException("inFlightConn.amount must be a positive number of connections");
        }
        long amount = config.amount();
        ConcurrentHashMap<InetAddress, AtomicLong> open = new ConcurrentHashMap<>();
        return next -> tunnel -> {
            InetSocketAddress client = tunnel.clientInetAddress();
            if (client == null) {
                next.handle(tunnel);
                return;
            }
            InetAddress address = client.getAddress();
            // Counted inside the map's lock, so that an entry is never removed while another connection counts on it.
            long now = open.compute(address, (a, count) -> {
                AtomicLong counted = count == null ? new AtomicLong() : count;
                counted.incrementAndGet();
                return counted;
            }).get();
            if (now > amount) {
                release(open, address);
                tunnel.close();
                return;
            }
            tunnel.onClose(() -> release(open, address));
            next.handle(tunnel);
        };
    }

    /** Counts a connection out; no entry is kept for an address once its last connection closed. */
    private static void release(ConcurrentHashMap<InetAddress, AtomicLong> open, InetAddress address) {
        open.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
}
