package dev.gatehouse.core.router;

import dev.gatehouse.core.http.ErrorResponses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The routers of one entry point, in the order they are tried: highest priority first; among equal
 * priorities, by name, so that the order never depends on the order providers listed them. Immutable:
 * a reload builds a new table and swaps it in whole.
 *
 * <p>Routes are indexed by host: a rule that can only match some hosts ({@code Host(`a.com`) && ...})
 * is filed under each of them, the others under "any host". A request is tested against the routes of
 * its own host and the any-host routes, merged in the same global order, so the first match is exactly
 * the one a plain scan of all routes would find, at a cost that does not grow with the number of other
 * hosts' routes.
 */
public final class RoutingTable {

    /** Priority descending, then name ascending: documented in docs/configuration/dynamic.md. */
    public static final Comparator<Route> ORDER =
            Comparator.comparingInt(Route::priority).reversed().thenComparing(Route::name);

    public static final RoutingTable EMPTY = new RoutingTable(List.of());

    private static final int[] NONE = new int[0];

    private final Route[] routes;
    /** Positions (in {@link #routes}) of the routes that can only match that host, ascending. */
    private final Map<String, int[]> byHost;
    /** Positions of the routes that may match any host, ascending. */
    private final int[] anyHost;

    public RoutingTable(List<Route> routes) {
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(ORDER);
        this.routes = sorted.toArray(new Route[0]);

        Map<String, List<Integer>> hosts = new HashMap<>();
        List<Integer> any = new ArrayList<>();
        for (int i = 0; i < this.routes.length; i++) {
            Set<String> possible = this.routes[i].predicate().possibleHosts();
            if (possible == null) {
                any.add(i);
            } else {
                for (String host : possible) {
                    hosts.computeIfAbsent(host, h -> new ArrayList<>()).add(i);
                }
            }
        }
        Map<String, int[]> index = new HashMap<>(Math.max(16, hosts.size() * 2));
        hosts.forEach((host, positions) -> index.put(host, toArray(positions)));
        this.byHost = index;
        this.anyHost = toArray(any);
    }

    private static int[] toArray(List<Integer> positions) {
        int[] array = new int[positions.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = positions.get(i);
        }
        return array;
    }

    /** The first route whose rule matches, or null. */
    public Route match(Request request) {
        return match(new RoutingRequest(request));
    }

    Route match(RoutingRequest request) {
        int[] specific = byHost.isEmpty() ? NONE : byHost.getOrDefault(request.host(), NONE);
        int s = 0;
        int a = 0;
        // Merge two ascending position lists: the order of a full scan, restricted to possible routes.
        while (s < specific.length || a < anyHost.length) {
            int next;
            if (a >= anyHost.length || (s < specific.length && specific[s] < anyHost[a])) {
                next = specific[s++];
            } else {
                next = anyHost[a++];
            }
            Route route = routes[next];
            if (route.predicate().test(request)) {
                return route;
            }
        }
        return null;
    }

    /** The first matching route by testing every route in order: the definition the index must agree with. */
    Route scan(RoutingRequest request) {
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
