package dev.gatehouse.core.router;

import dev.gatehouse.core.http.ErrorResponses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The routers of one entry point, in the order they are tried: highest priority first; among equal
 * priorities, by name, so that the order never depends on the order providers listed them. Immutable:
 * a reload builds a new table and swaps it in whole.
 */
public final class RoutingTable {

    /** Priority descending, then name ascending: documented in docs/configuration/routing.md. */
    public static final Comparator<Route> ORDER =
            Comparator.comparingInt(Route::priority).reversed().thenComparing(Route::name);

    public static final RoutingTable EMPTY = new RoutingTable(List.of());

    private final Route[] routes;

    public RoutingTable(List<Route> routes) {
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(ORDER);
        this.routes = sorted.toArray(new Route[0]);
    }

    /** The first route whose rule matches, or null. */
    public Route match(Request request) {
        return match(new RoutingRequest(request));
    }

    Route match(RoutingRequest request) {
        for (Route route : routes) {
            if (route.predicate().test(request)) {
                return route;
            }
        }
        return null;
    }

    /** Routes the request: the matched chain handles it, or 404. Always handles. */
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Route route = match(new RoutingRequest(request));
        if (route == null || !route.handler().handle(request, response, callback)) {
            ErrorResponses.notFound(request, response, callback);
        }
        return true;
    }

    public List<Route> routes() {
        return List.of(routes);
    }
}
