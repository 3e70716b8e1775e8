package dev.gatehouse.core.config.dynamic.udp;

import java.util.List;

/**
 * {@code udp.routers.<name>}: sends the datagrams of a UDP entry point to a service. As in Traefik, a UDP router has
 * no rule: a UDP entry point serves one router.
 *
 * <pre>{@code
 * udp:
 *   routers:
 *     dns:
 *       entryPoints: [dns]
 *       service: dns
 * }</pre>
 *
 * @param entryPoints the UDP entry points it serves; empty means every UDP entry point, as in Traefik
 * @param service the UDP service, {@code name} or {@code name@provider}
 */
public record UdpRouterConfig(List<String> entryPoints, String service) {

    public UdpRouterConfig {
        entryPoints = entryPoints == null ? List.of() : List.copyOf(entryPoints);
    }
}
