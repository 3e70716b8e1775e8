package dev.gatehouse.core.udp;

import dev.gatehouse.core.service.SmoothWeightedRoundRobin;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

/** Where a UDP service sends a new session: a server, or a turn among several servers or services. */
interface UdpTarget {

    /** The server for a new session, or null when there is none (an empty load balancer, all weights 0). */
    UdpServer pick();

    /** Adds every server this target can pick to {@code servers} (their addresses as configured). */
    void collectAddresses(Set<String> servers);

    /**
     * One server of a UDP load balancer.
     *
     * @param address as configured ({@code 10.0.0.53:53}): what a session is kept by across reloads
     * @param resolved the socket address, resolved when the configuration was applied
     */
    record UdpServer(String address, InetSocketAddress resolved) implements UdpTarget {

        @Override
        public UdpServer pick() {
            return this;
        }

        @Override
        public void collectAddresses(Set<String> servers) {
            servers.add(address);
        }
    }

    /**
     * Smooth weighted round robin (as nginx's): over a turn of total weight W, each target is picked its weight's
     * share of times, spread out rather than in runs; the HTTP weighted services' cycle, picked without a lock by the
     * threads of the UDP entry points that share the service.
     */
    final class Turn implements UdpTarget {
        private final List<UdpTarget> targets;
        private final SmoothWeightedRoundRobin<UdpTarget> turn;

        Turn(List<UdpTarget> targets, List<Integer> weights) {
            this.targets = List.copyOf(targets);
            this.turn = new SmoothWeightedRoundRobin<>(this.targets, weights);
        }

        @Override
        public UdpServer pick() {
            UdpTarget next = turn.next();
            return next == null ? null : next.pick();
        }

        @Override
        public void collectAddresses(Set<String> servers) {
            targets.forEach(target -> target.collectAddresses(servers));
        }
    }
}
