package dev.gatehouse.core.http;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;

/**
 * The fixed facts of one entry point that the request path needs, carried by its connector so that a
 * request finds them without a lookup.
 *
 * @param name the entry point's name ({@code web})
 * @param index its position in the static configuration; routing tables are arrays in the same order
 * @param forwardedHeaders which clients' {@code X-Forwarded-*} headers are believed
 * @param sanitizePath whether request paths lose {@code .}/{@code ..} segments and repeated slashes before
 *        routing and forwarding ({@code entryPoints.<name>.http.sanitizePath})
 */
public record EntryPoint(String name, int index, ForwardedHeadersPolicy forwardedHeaders, boolean sanitizePath) {

    /** Implemented by the connectors of entry points. */
    public interface Holder {
        EntryPoint entryPoint();
    }

    /** The entry point a request arrived on, or null for a connector that is not one (tests). */
    public static EntryPoint of(Request request) {
        Connector connector = request.getConnectionMetaData().getConnector();
        return connector instanceof Holder holder ? holder.entryPoint() : null;
    }
}
