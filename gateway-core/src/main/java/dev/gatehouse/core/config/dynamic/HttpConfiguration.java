package dev.gatehouse.core.config.dynamic;

import java.util.Map;

/**
 * The {@code http} section. Keys are element names: plain ({@code app}) inside one provider's
 * configuration, qualified ({@code app@file}) once the gateway has merged providers.
 *
 * <pre>{@code
 * http:
 *   routers:     { app: { rule: "PathPrefix(`/api`)", middlewares: [strip], service: app } }
 *   middlewares: { strip: { stripPrefix: { prefixes: ["/api"] } } }
 *   services:    { app: { loadBalancer: { servers: [ { url: "http://10.0.0.5:8080" } ] } } }
 * }</pre>
 */
public record HttpConfiguration(
        Map<String, RouterConfig> routers,
        Map<String, ServiceConfig> services,
        Map<String, MiddlewareConfig> middlewares,
        Map<String, ServersTransportConfig> serversTransports) {

    public static final HttpConfiguration EMPTY = new HttpConfiguration(null, null, null, null);

    public HttpConfiguration(Map<String, RouterConfig> routers, Map<String, ServiceConfig> services,
            Map<String, MiddlewareConfig> middlewares) {
        this(routers, services, middlewares, null);
    }

    public HttpConfiguration {
        serversTransports = Immutables.map(serversTransports);
        routers = Immutables.map(routers);
        services = Immutables.map(services);
        middlewares = Immutables.map(middlewares);
    }
}
