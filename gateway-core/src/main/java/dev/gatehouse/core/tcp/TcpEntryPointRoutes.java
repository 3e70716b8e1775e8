package dev.gatehouse.core.tcp;

import java.util.List;
import java.util.Set;

/**
 * The TCP routers of one entry point, and what its HTTP routers over TLS claim, to decide, as Traefik's TCP
 * router does, which of the two gets a connection:
 * <ul>
 *   <li>plain TCP routers only (no TLS router of either kind): the connection goes to the first that matches
 *       without waiting for the client's first bytes, so that protocols where the server speaks first (SMTP,
 *       MySQL, SSH) work; otherwise</li>
 *   <li>a plain connection goes to the first plain TCP router that matches, else to the HTTP routers;</li>
 *   <li>a TLS connection goes to an HTTP router whose host is its server name, else to a TCP router naming it,
 *       else to an HTTP router without a host, else to a catch-all TCP router ({@code HostSNI(`*`)}), else to
 *       the HTTP routers (which answer 404).</li>
 * </ul>
 *
 * @param plain routers without {@code tls}, in order
 * @param tls routers with {@code tls} (passthrough or terminated), in order
 * @param httpTlsHosts the hosts that this entry point's HTTP routers over TLS name
 * @param httpTlsAnyHost whether one of those routers has no host in its rule (it takes any server name)
 */
public record TcpEntryPointRoutes(List<TcpRoute> plain, List<TcpRoute> tls, Set<String> httpTlsHosts,
        boolean httpTlsAnyHost) {

    public static final TcpEntryPointRoutes NONE = new TcpEntryPointRoutes(List.of(), List.of(), Set.of(), false);

    public TcpEntryPointRoutes {
        plain = List.copyOf(plain);
        tls = List.copyOf(tls);
        httpTlsHosts = Set.copyOf(httpTlsHosts);
    }

    public boolean isEmpty() {
        return plain.isEmpty() && tls.isEmpty();
    }

    /** Whether a connection may be given to a plain router before the client sent anything. */
    public boolean routesBeforeFirstByte() {
        return !plain.isEmpty() && tls.isEmpty() && httpTlsHosts.isEmpty() && !httpTlsAnyHost;
    }

    /** The plain router for a connection that is not TLS, or null for HTTP. */
    public TcpRoute matchPlain(TcpMatch match) {
        for (TcpRoute route : plain) {
            if (route.predicate().test(match)) {
                return route;
            }
        }
        return null;
    }

    /** The TLS router for a ClientHello, or null for the HTTP routers. */
    public TcpRoute matchTls(TcpMatch match) {
        if (tls.isEmpty()) {
            return null;
        }
        if (match.serverName() != null && claimedByHttp(match.serverName())) {
            return null;
        }
        TcpRoute catchAll = null;
        for (TcpRoute route : tls) {
            if (route.predicate().test(match)) {
                if (!route.catchAll()) {
                    return route;
                }
                if (catchAll == null) {
                    catchAll = route;
                }
            }
        }
        return httpTlsAnyHost ? null : catchAll;
    }

    private boolean claimedByHttp(String serverName) {
        if (httpTlsHosts.contains(serverName)) {
            return true;
        }
        int dot = serverName.indexOf('.');
        return dot > 0 && httpTlsHosts.contains("*" + serverName.substring(dot));
    }
}
