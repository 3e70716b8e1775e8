package dev.gatehouse.core.router;

import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.http.FailureLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * The routers of one entry point, in the order they are tried: highest priority first; among equal
 * priorities, by provider precedence and then by name, so that the order never depends on the order providers
 * listed them. Immutable:
 * a reload builds a new table and swaps it in whole.
 *
 * <p>Routes are indexed so that a request is tested only against routes that can match it, in the same
 * order a plain scan of all routes would use, and so with the same result:
 * <ul>
 *   <li>a rule that can only match some hosts ({@code Host(`a.com`) && ...}) is filed under each of them;</li>
 *   <li>a rule with no host limit but a path limit ({@code PathPrefix(`/api`)}) is filed in a prefix trie;</li>
 *   <li>the rest (for example {@code Method(`GET`)} alone) are tried for every request.</li>
 * </ul>
 * The hints come from the matchers ({@code RequestPredicate.possibleHosts()} and
 * {@code possiblePathPrefixes()}), never from matcher names.
 */
public final class RoutingTable {

    /** Priority descending, then name ascending: documented in docs/configuration/dynamic.md. */
    public static final Comparator<Route> ORDER =
            Comparator.comparingInt(Route::priority).reversed().thenComparing(Route::name);

    /**
     * Priority descending; among equal priorities, the provider that comes first in {@code providersPrecedence}
     * (lower case provider names; a provider not listed comes after every listed one), as Traefik's
     * {@code providers.precedence}; then name ascending, so that the order never depends on the order providers
     * listed their routers.
     */
    public static Comparator<Route> order(List<String> providersPrecedence) {
        List<String> ranked = new ArrayList<>();
        for (String provider : providersPrecedence) {
            if (!ranked.contains(provider)) {
                ranked.add(provider);
            }
        }
        // Sorting 10,000 routes compares about 130,000 pairs: the rank is found without making strings.
        return Comparator.comparingInt(Route::priority).reversed()
                .thenComparingInt((Route route) -> rank(ranked, route.name()))
                .thenComparing(Route::name);
    }

    /**
     * The position in {@code ranked} of the router's provider (its name after the last '@', in lower case), or past
     * the end.
     */
    private static int rank(List<String> ranked, String qualifiedName) {
        int at = qualifiedName.lastIndexOf('@');
        int start = at < 0 ? qualifiedName.length() : at + 1;   // no '@': the empty provider
        for (int i = start; i < qualifiedName.length(); i++) {
            if (qualifiedName.charAt(i) >= 128) {   // lowercasing may change the length: as the definition says
                int index = ranked.indexOf(qualifiedName.substring(start).toLowerCase(java.util.Locale.ROOT));
                return index < 0 ? ranked.size() : index;
            }
        }
        int length = qualifiedName.length() - start;
        for (int i = 0; i < ranked.size(); i++) {
            String provider = ranked.get(i);
            if (provider.length() == length && asciiLowerCaseEquals(qualifiedName, start, provider)) {
                return i;
            }
        }
        return ranked.size();
    }

    /** Whether the ASCII text from {@code start}, in lower case, is {@code lower} (of the same length). */
    private static boolean asciiLowerCaseEquals(String text, int start, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            char c = text.charAt(start + i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    public static final RoutingTable EMPTY = new RoutingTable(List.of());

    private static final int[] NONE = new int[0];

    private final Route[] routes;
    /** Positions (in {@link #routes}) of the routes that can only match that host, ascending. */
    private final Map<String, int[]> byHost;
    /** Routes without a host limit but with path prefixes, by prefix. */
    private final PrefixTrie byPathPrefix;
    /** Positions of the routes that may match any request, ascending. */
    private final int[] anyRequest;
    /** Per-thread room to merge candidates when the prefix trie contributes some. */
    private final ThreadLocal<int[]> scratch;
    /** Answers requests no route matches when that needs more than the 404 itself (tracing); null otherwise. */
    private final Handler notFound;
    /** Whether {@link #notFound} may block, asked once as a route's chain is (see {@link Route#blocking()}). */
    private final boolean notFoundBlocks;

    public RoutingTable(List<Route> routes) {
        this(routes, ORDER);
    }

    /** @param order the order routes are tried in ({@link #order(List)}) */
    public RoutingTable(List<Route> routes, Comparator<Route> order) {
        this(routes, order, null);
    }

    /**
     * @param order the order routes are tried in ({@link #order(List)})
     * @param notFound answers the requests no route matches, instead of a plain 404 (the entry point's tracing);
     *     null for the plain 404
     */
    public RoutingTable(List<Route> routes, Comparator<Route> order, Handler notFound) {
        this.notFound = notFound;
        this.notFoundBlocks = notFound != null && notFound.getInvocationType() == InvocationType.BLOCKING;
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(order);
        this.routes = sorted.toArray(new Route[0]);

        Map<String, List<Integer>> hosts = new HashMap<>();
        PrefixTrie.Builder prefixes = new PrefixTrie.Builder();
        List<Integer> any = new ArrayList<>();
        int filedByPrefix = 0;
        for (int i = 0; i < this.routes.length; i++) {
            Set<String> possibleHosts = this.routes[i].predicate().possibleHosts();
            Set<String> possiblePrefixes = this.routes[i].predicate().possiblePathPrefixes();
            if (possibleHosts != null) {
                for (String host : possibleHosts) {
                    hosts.computeIfAbsent(host, h -> new ArrayList<>()).add(i);
                }
            } else if (possiblePrefixes != null) {
                for (String prefix : possiblePrefixes) {
                    prefixes.add(prefix, i);
                    filedByPrefix++;
                }
            } else {
                any.add(i);
            }
        }
        Map<String, int[]> index = new HashMap<>(Math.max(16, hosts.size() * 2));
        hosts.forEach((host, positions) -> index.put(host, toArray(positions)));
        this.byHost = index;
        this.byPathPrefix = prefixes.build();
        this.anyRequest = toArray(any);
        // Enough for every prefix filing (a route may be under several prefixes of one path) and every other route.
        int room = filedByPrefix + this.routes.length;
        this.scratch = ThreadLocal.withInitial(() -> new int[room]);
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
        if (byPathPrefix.isEmpty() || !byPathPrefix.anyPrefixOf(request.path())) {
            return mergeAndTest(specific, anyRequest, request);
        }
        // Rare enough to afford a sort: routes filed by path prefix join the host's and the any-request ones.
        int[] candidates = scratch.get();
        int size = byPathPrefix.collect(request.path(), candidates, 0);
        System.arraycopy(specific, 0, candidates, size, specific.length);
        size += specific.length;
        System.arraycopy(anyRequest, 0, candidates, size, anyRequest.length);
        size += anyRequest.length;
        Arrays.sort(candidates, 0, size);
        int previous = -1;
        for (int i = 0; i < size; i++) {
            int position = candidates[i];
            if (position != previous && routes[position].predicate().test(request)) {
                return routes[position];
            }
            previous = position;
        }
        return null;
    }

    /** Tests two ascending position lists in their merged order: a full scan's order, restricted. */
    private Route mergeAndTest(int[] first, int[] second, RoutingRequest request) {
        int f = 0;
        int s = 0;
        while (f < first.length || s < second.length) {
            int next;
            if (s >= second.length || (f < first.length && first[f] < second[s])) {
                next = first[f++];
            } else {
                next = second[s++];
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
        return handle(request, response, callback, null);
    }

    /**
     * Routes the request; a chain that may block (and a 404 handler that may) is handled on {@code blockingRoutes}
     * when it is given (the caller is on a selector thread), so that it cannot hold up the other connections of
     * that selector. Always handles.
     */
    public boolean handle(Request request, Response response, Callback callback, Executor blockingRoutes)
            throws Exception {
        Route route = match(new RoutingRequest(request));
        RequestRecord observed = RequestRecord.of(request);
        if (route != null) {
            request.setAttribute(FailureLog.ROUTER, route.name());   // for the log line of a 502/503/504
            if (observed != null) {
                observed.router(route.name());
            }
        }
        Handler chain = route != null ? route.handler() : notFound;
        if (chain == null) {
            ErrorResponses.notFound(request, response, callback);
            return true;
        }
        boolean blocking = route != null ? route.blocking() : notFoundBlocks;
        if (blockingRoutes == null || !blocking) {
            handleOrNotFound(chain, request, response, callback);
            return true;
        }
        blockingRoutes.execute(() -> {
            try {
                handleOrNotFound(chain, request, response, callback);
            } catch (Throwable failure) {
                callback.failed(failure);   // as Jetty fails a handler that throws on its own thread: 500
            }
        });
        return true;
    }

    private static void handleOrNotFound(Handler chain, Request request, Response response, Callback callback)
            throws Exception {
        if (!chain.handle(request, response, callback)) {
            ErrorResponses.notFound(request, response, callback);
        }
    }

    public List<Route> routes() {
        return List.of(routes);
    }
}
