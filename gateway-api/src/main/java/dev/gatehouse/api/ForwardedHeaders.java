package dev.gatehouse.api;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;

/**
 * Whether a request's {@code X-Forwarded-*} headers may be believed, as its entry point decides
 * ({@code entryPoints.<ep>.forwardedHeaders.trustedIPs} / {@code insecure}).
 *
 * <p>Middlewares run before the gateway rewrites forwarding headers for the backend, so they see what the
 * client sent. A middleware that acts on {@code X-Forwarded-Proto} (such as {@code redirectScheme}) asks
 * here first, as Traefik's middlewares only ever see the headers its entry point kept:
 *
 * <pre>{@code
 * String proto = ForwardedHeaders.trusted(request) ? request.getHeaders().get("X-Forwarded-Proto") : null;
 * }</pre>
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
