package dev.gatehouse.core.tcp;

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
     * One server address, resolved when the connection is made (a name may change address).
     *
     * @param tls the TLS client for a server with {@code tls: true}, null for plain TCP
     */
    record Server(String host, int port, SslContextFactory.Client tls) {
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
            // An unresolved address is resolved by the connector's channel when it connects.
            tunnel.dialer().dial(tunnel, new InetSocketAddress(server.host(), server.port()), transport.dialTimeout(),
                    transport.keepAlive(), header, transport.terminationDelay(), server.tls());
        }
    }

    /**
     * Services by weight, spread evenly (smooth weighted round robin, as nginx and Traefik's weighted services
     * spread them).
     */
    static final class Weighted implements TcpHandler {
        private final TcpHandler[] services;
        private final int[] weights;
        private final int[] current;
        private final int total;

        Weighted(List<TcpHandler> services, List<Integer> weights) {
            this.services = services.toArray(new TcpHandler[0]);
            this.weights = weights.stream().mapToInt(Integer::intValue).toArray();
            this.current = new int[this.weights.length];
            this.total = java.util.Arrays.stream(this.weights).sum();
        }

        @Override
        public void handle(TcpTunnel tunnel) {
            TcpHandler chosen;
            synchronized (current) {
                int best = -1;
                for (int i = 0; i < current.length; i++) {
                    current[i] += weights[i];
                    if (weights[i] > 0 && (best < 0 || current[i] > current[best])) {
                        best = i;
                    }
                }
                current[best] -= total;
                chosen = services[best];
            }
            chosen.handle(tunnel);
        }
    }
}
