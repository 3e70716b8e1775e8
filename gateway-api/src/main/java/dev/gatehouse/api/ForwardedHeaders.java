package dev.gatehouse.api;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;

/**
 * Whether a request's {@code X-Forwarded-*} headers may be believed, as its entry point decides
 * ({@code entryPoints.<ep>.forwardedHeaders.trustedIPs} / {@code insecure}).
 *
 * <p>The entry point settles them before routing, as Traefik's does: from a client it does not trust, every
 * {@code X-Forwarded-*} (and {@code X-Real-Ip}) is removed, and the entry point's own {@code X-Forwarded-Proto},
 * {@code -Host}, {@code -Port}, {@code -Server} and {@code X-Real-Ip} are added where none is left. So middlewares
 * only ever see values the entry point kept or made, and may remove them before the request goes on:
 *
 * <pre>{@code
 * String proto = request.getHeaders().get("X-Forwarded-Proto");   // a trusted proxy's, else the entry point's
 * }</pre>
 *
 * <p>{@link #trusted(Request)} tells whether the client was trusted to send them.
 */
public final class ForwardedHeaders {

    private ForwardedHeaders() {
    }

    /**
     * Request attribute (any non-null value): the gateway sends no {@code X-Forwarded-For} to the backend, neither the
     * client's nor its own. Set by a {@code headers} middleware with an empty custom {@code X-Forwarded-For} request
     * header, as Traefik's proxy then adds none.
     */
    public static final String SUPPRESS_FORWARDED_FOR = "dev.gatehouse.forwardedFor.suppress";

    /** Implemented by the gateway's entry point connectors. */
    public interface Source {
        /** Whether this request's client is trusted to send forwarding headers. */
        boolean trustsForwardedHeaders(Request request);
    }

    /** True when the entry point the request arrived on trusts its client's forwarding headers. */
    public static boolean trusted(Request request) {
        Connector connector = request.getConnectionMetaData().getConnector();
        return connector instanceof Source source && source.trustsForwardedHeaders(request);
    }
}
