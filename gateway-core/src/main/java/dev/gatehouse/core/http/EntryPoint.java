package dev.gatehouse.core.http;

import java.util.Locale;
import java.util.Set;
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
 * @param deniedEncodedCharacters the two upper-case hex digits of each percent-encoded character that a routed request's
 *        path may not hold ({@code entryPoints.<name>.http.encodedCharacters}); empty when all are allowed
 * @param requestHead what happens to request heads before routing (underscore headers, query semicolons)
 */
public record EntryPoint(String name, int index, ForwardedHeadersPolicy forwardedHeaders, boolean sanitizePath,
        Set<String> deniedEncodedCharacters, RequestHeadRules requestHead) {

    public EntryPoint {
        deniedEncodedCharacters = Set.copyOf(deniedEncodedCharacters);
    }

    /**
     * Whether {@code rawPath} (as sent, still percent-encoded) holds a denied encoded character, or a {@code %} that
     * two characters do not follow (Traefik refuses that too when it denies any).
     */
    public boolean refusesPath(String rawPath) {
        if (deniedEncodedCharacters.isEmpty() || rawPath == null) {
            return false;
        }
        for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', i + 3)) {
            if (i + 2 >= rawPath.length()) {
                return true;
            }
            if (deniedEncodedCharacters.contains(rawPath.substring(i + 1, i + 3).toUpperCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

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
