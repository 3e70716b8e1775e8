package dev.gatehouse.core.udp;

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
     * share of times, spread out rather than in runs. Called for each new session, from the threads of the UDP entry
     * points that share the service.
     */
    final class Turn implements UdpTarget {
        private final List<UdpTarget> targets;
        private final int[] weights;
        private final int[] current;

        Turn(List<UdpTarget> targets, List<Integer> weights) {
            this.targets = List.copyOf(targets);
            this.weights = weights.stream().mapToInt(Integer::intValue).toArray();
            this.current = new int[this.weights.length];
        }

        @Override
        public synchronized UdpServer pick() {
            int total = 0;
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] <= 0) {
                    continue;
                }
                current[i] += weights[i];
                total += weights[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            if (best < 0) {
                return null;
            }
            current[best] -= total;
            return targets.get(best).pick();
        }

        @Override
        public void collectAddresses(Set<String> servers) {
            targets.forEach(target -> target.collectAddresses(servers));
        }
    }
}
