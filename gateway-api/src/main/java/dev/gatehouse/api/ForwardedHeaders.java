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
 * <p>{@link #trusted(Request)} tells whether the client was trusted to send them;
 * {@link #withoutForwardedFor(Request)} keeps the gateway from sending any {@code X-Forwarded-For}.
 */
public final class ForwardedHeaders {

    private ForwardedHeaders() {
    }

    /**
     * The request, marked so that the gateway sends its server no {@code X-Forwarded-For}: neither the one it has nor
     * the client's address the gateway would append. That is what a {@code headers} middleware with an empty custom
     * {@code X-Forwarded-For} asks, as in Traefik. The mark stays with the request through the wrappers of later
     * middlewares; one of them that sets {@code X-Forwarded-For} again has it extended with the client's address as
     * usual. The headers are not changed: remove {@code X-Forwarded-For} from them too.
     *
     * <pre>{@code
     * return next.handle(ForwardedHeaders.withoutForwardedFor(request), response, callback);
     * }</pre>
     */
    public static Request withoutForwardedFor(Request request) {
        return new WithoutForwardedFor(request);
    }

    /** Whether a middleware marked the request with {@link #withoutForwardedFor(Request)}. */
    public static boolean isWithoutForwardedFor(Request request) {
        return Request.as(request, WithoutForwardedFor.class) != null;
    }

    /** The mark of {@link #withoutForwardedFor(Request)}: a wrapper that changes nothing, found by its type. */
    private static final class WithoutForwardedFor extends Request.Wrapper {
        WithoutForwardedFor(Request request) {
            super(request);
        }
    }

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
