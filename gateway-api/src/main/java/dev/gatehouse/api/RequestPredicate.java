package dev.gatehouse.api;

import java.util.Set;

/**
 * A compiled rule function, tested against each request. Must be thread-safe, must not block, and
 * should not allocate.
 *
 * <pre>{@code
 * String method = "GET";                               // decided once, in Matcher.compile
 * RequestPredicate isGet = request -> method.equals(request.request().getMethod());
 * }</pre>
 */
@FunctionalInterface
public interface RequestPredicate {

    boolean test(MatchContext request);

    /**
     * The hosts (lower case, without port) outside which this predicate is always false, or {@code null}
     * when it may match any host. The router uses it to index rules by host, so that a request is tested
     * only against rules that can match it; it must never leave out a host for which {@link #test} could
     * return true. {@code Host(`example.com`)} returns {@code {"example.com"}}; most matchers keep the
     * default.
     */
    default Set<String> possibleHosts() {
        return null;
    }

    /**
     * Literal prefixes, one of which the routing path ({@link MatchContext#path()}) must start with for
     * {@link #test} to return true, or {@code null} when the predicate may match any path. Like
     * {@link #possibleHosts()}, a hint for the router's index that must never leave out a path that could
     * match: {@code PathPrefix(`/api`)} and {@code Path(`/api`)} both return {@code {"/api"}}.
     */
    default Set<String> possiblePathPrefixes() {
        return null;
    }
}
