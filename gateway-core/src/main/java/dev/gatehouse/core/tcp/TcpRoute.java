package dev.gatehouse.core.tcp;

import java.util.Comparator;
import java.util.function.Predicate;

/**
 * One TCP router on one entry point.
 *
 * @param name the qualified router name
 * @param priority the effective priority (higher first; {@code HostSNI(`*`)} alone defaults to -1, as in Traefik)
 * @param predicate the compiled rule
 * @param catchAll whether the rule is {@code HostSNI(`*`)} alone: HTTP routers naming the server name go first
 * @param mode what happens to the TLS of a connection it takes
 * @param handler the router's middlewares and service
 */
public record TcpRoute(String name, int priority, Predicate<TcpMatch> predicate, boolean catchAll, Mode mode,
        TcpHandler handler) {

    /** Higher priority first; equal priorities by name, so that the order never depends on a map's. */
    public static final Comparator<TcpRoute> ORDER =
            Comparator.comparingInt(TcpRoute::priority).reversed().thenComparing(TcpRoute::name);

    public enum Mode {
        /** A router without {@code tls}: plain TCP. */
        PLAIN,
        /** {@code tls.passthrough}: the TLS bytes go to the server untouched. */
        PASSTHROUGH,
        /** {@code tls}: the gateway completes the handshake and forwards what is inside. */
        TERMINATE
    }
}
