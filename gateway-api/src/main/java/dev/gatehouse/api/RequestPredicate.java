package dev.gatehouse.api;

/**
 * A compiled rule function, tested against each request. Must be thread-safe, must not block, and
 * should not allocate.
 */
@FunctionalInterface
public interface RequestPredicate {

    boolean test(MatchContext request);
}
