package dev.gatehouse.core.dynamic;

import dev.gatehouse.core.config.dynamic.tcp.TcpMiddlewareConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpRouterConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpServersTransportConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpServiceConfig;
import java.util.Map;

/** Every provider's {@code tcp} section, bound and merged, keyed by qualified name ({@code db@file}). */
public record TcpDefinitions(
        Map<String, Defined<TcpRouterConfig>> routers,
        Map<String, Defined<TcpServiceConfig>> services,
        Map<String, Defined<TcpMiddlewareConfig>> middlewares,
        Map<String, Defined<TcpServersTransportConfig>> serversTransports) {

    public static final TcpDefinitions EMPTY = new TcpDefinitions(Map.of(), Map.of(), Map.of(), Map.of());

    public TcpDefinitions {
        routers = Map.copyOf(routers);
        services = Map.copyOf(services);
        middlewares = Map.copyOf(middlewares);
        serversTransports = Map.copyOf(serversTransports);
    }

    public boolean isEmpty() {
        return routers.isEmpty() && services.isEmpty() && middlewares.isEmpty() && serversTransports.isEmpty();
    }
}
