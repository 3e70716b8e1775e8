package dev.gatehouse.core.tcp;

import dev.gatehouse.core.service.SmoothWeightedRoundRobin;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The TCP services: a load balancer over servers, and a weighted set of services. */
final class TcpServices {

    private TcpServices() {
    }

    /**
     * How the servers of a load balancer are reached: its {@code tcp.serversTransports} entry (or the defaults),
     * with the load balancer's own deprecated {@code proxyProtocol} and {@code terminationDelay} applied over it.
     *
     * @param proxyProtocolVersion 0 for none, else 1 or 2
     */
    record Transport(Duration dialTimeout, boolean keepAlive, Duration terminationDelay, int proxyProtocolVersion,
            SslContextFactory.Client tls) {
        static final Transport DEFAULT = new Transport(Duration.ofSeconds(30), true, Duration.ofMillis(100), 0, null);
    }

    /**
     * One server address. An IP address is taken as is; a name is resolved when a connection is made (its address
     * may change), off the selector threads (see {@link TcpDialer#dial}).
     *
     * @param tls the TLS client for a server with {@code tls: true}, null for plain TCP
     * @param literal the address when {@code host} is an IP address (no lookup), else null
     */
    record Server(String host, int port, SslContextFactory.Client tls, InetSocketAddress literal) {
        Server(String host, int port, SslContextFactory.Client tls) {
            this(host, port, tls, isIpLiteral(host) ? new InetSocketAddress(host, port) : null);
        }

        /** Whether {@code host} is an IPv4 or IPv6 address, which InetSocketAddress takes without a DNS lookup. */
        private static boolean isIpLiteral(String host) {
            return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        }
    }

    /** Servers in turn, as Traefik's TCP load balancer picks them. */
    static final class LoadBalancer implements TcpHandler {
        private final List<Server> servers;
        private final Transport transport;
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

        LoadBalancer(List<Server> servers, Transport transport) {
            this.servers = List.copyOf(servers);
            this.transport = transport;
        }

        @Override
        public void handle(TcpTunnel tunnel) {
            if (servers.isEmpty()) {
                tunnel.close(); // as Traefik: a service without servers closes the connection
                return;
            }
            Server server = servers.get(Math.floorMod(next.getAndIncrement(), servers.size()));
            ByteBuffer header = null;
            if (transport.proxyProtocolVersion() > 0) {
                header = ProxyProtocolHeader.of(transport.proxyProtocolVersion(), tunnel.clientInetAddress(),
                        tunnel.localAddress() instanceof InetSocketAddress local ? local : null);
            }
            tunnel.dialer().dial(tunnel, server, transport.dialTimeout(), transport.keepAlive(), header,
                    transport.terminationDelay());
        }
    }

    /**
     * Services by weight, spread evenly (smooth weighted round robin, as nginx and Traefik's weighted services
     * spread them): the HTTP weighted services' cycle, lock-free.
     */
    static final class Weighted implements TcpHandler {
        private final SmoothWeightedRoundRobin<TcpHandler> services;

        Weighted(List<TcpHandler> services, List<Integer> weights) {
            this.services = new SmoothWeightedRoundRobin<>(services, weights);
        }

        @Override
        public void handle(TcpTunnel tunnel) {
            TcpHandler chosen = services.next();
            if (chosen == null) {
                tunnel.close(); // every weight is 0: refused when built, kept safe here
                return;
            }
            chosen.handle(tunnel);
        }
    }
}
