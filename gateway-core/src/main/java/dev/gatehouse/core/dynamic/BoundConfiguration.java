package dev.gatehouse.core.dynamic;

import dev.gatehouse.core.config.dynamic.MiddlewareConfig;
import dev.gatehouse.core.config.dynamic.RouterConfig;
import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import dev.gatehouse.core.config.dynamic.ServiceConfig;
import java.util.List;
import java.util.Map;

/**
 * Every provider's configuration, bound and merged, keyed by qualified name ({@code app@file}), with the
 * problems found on the way. Elements with problems are already left out. The {@code tcp} and {@code udp} sections
 * are apart ({@link TcpDefinitions}, {@link UdpDefinitions}): their names live beside the HTTP ones, as in Traefik.
 */
public record BoundConfiguration(
        Map<String, Defined<RouterConfig>> routers,
        Map<String, Defined<ServiceConfig>> services,
        Map<String, Defined<MiddlewareConfig>> middlewares,
        Map<String, Defined<ServersTransportConfig>> serversTransports,
        List<ConfigProblem> problems,
        TlsDefinitions tls,
        TcpDefinitions tcp,
        UdpDefinitions udp) {

    /** A configuration without TCP or UDP routers and services. */
    public BoundConfiguration(Map<String, Defined<RouterConfig>> routers, Map<String, Defined<ServiceConfig>> services,
            Map<String, Defined<MiddlewareConfig>> middlewares, Map<String, Defined<ServersTransportConfig>> serversTransports,
            List<ConfigProblem> problems, TlsDefinitions tls) {
        this(routers, services, middlewares, serversTransports, problems, tls, TcpDefinitions.EMPTY, UdpDefinitions.EMPTY);
    }

    public BoundConfiguration(Map<String, Defined<RouterConfig>> routers, Map<String, Defined<ServiceConfig>> services,
            Map<String, Defined<MiddlewareConfig>> middlewares, Map<String, Defined<ServersTransportConfig>> serversTransports,
            List<ConfigProblem> problems) {
        this(routers, services, middlewares, serversTransports, problems, TlsDefinitions.EMPTY);
    }

    public BoundConfiguration(Map<String, Defined<RouterConfig>> routers, Map<String, Defined<ServiceConfig>> services,
            Map<String, Defined<MiddlewareConfig>> middlewares, List<ConfigProblem> problems) {
        this(routers, services, middlewares, Map.of(), problems, TlsDefinitions.EMPTY);
    }

    public BoundConfiguration {
        tls = tls == null ? TlsDefinitions.EMPTY : tls;
        tcp = tcp == null ? TcpDefinitions.EMPTY : tcp;
        udp = udp == null ? UdpDefinitions.EMPTY : udp;
        routers = Map.copyOf(routers);
        services = Map.copyOf(services);
        middlewares = Map.copyOf(middlewares);
        serversTransports = Map.copyOf(serversTransports);
        problems = List.copyOf(problems);
    }
}
