package dev.gatehouse.core.config.dynamic;

/**
 * The dynamic configuration, in Traefik's layout: what providers supply and what changes without a
 * restart.
 *
 * <pre>{@code
 * http:
 *   routers:  { app: { rule: "Host(`app.example.com`)", service: app } }
 *   services: { app: { loadBalancer: { servers: [ { url: "http://10.0.0.5:8080" } ] } } }
 * tls:
 *   certificates: [ { certFile: app.crt, keyFile: app.key } ]
 * }</pre>
 *
 * @param http routers, services and middlewares
 * @param tls certificates, TLS options and stores
 */
public record DynamicConfiguration(HttpConfiguration http, TlsConfiguration tls) {

    public static final DynamicConfiguration EMPTY = new DynamicConfiguration(null, null);

    public DynamicConfiguration {
        http = http == null ? HttpConfiguration.EMPTY : http;
        tls = tls == null ? TlsConfiguration.EMPTY : tls;
    }
}
