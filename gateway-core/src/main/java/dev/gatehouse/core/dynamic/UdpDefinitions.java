package dev.gatehouse.core.dynamic;

import dev.gatehouse.core.config.dynamic.udp.UdpRouterConfig;
import dev.gatehouse.core.config.dynamic.udp.UdpServiceConfig;
import java.util.Map;

/**
 * The {@code udp} sections of every provider, bound and merged, keyed by qualified name ({@code dns@file}).
 * Elements with problems are already left out.
 */
public record UdpDefinitions(Map<String, Defined<UdpRouterConfig>> routers,
        Map<String, Defined<UdpServiceConfig>> services) {

    public static final UdpDefinitions EMPTY = new UdpDefinitions(Map.of(), Map.of());

    public UdpDefinitions {
        routers = Map.copyOf(routers);
        services = Map.copyOf(services);
    }
}
