package dev.gatehouse.api;

/**
 * A compiled TCP rule function ({@link TcpMatcher}): whether a new connection matches, from what the gateway read
 * of it before forwarding anything.
 */
@FunctionalInterface
public interface TcpPredicate {

    boolean test(TcpMatchContext connection);
}
