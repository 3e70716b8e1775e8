package dev.gatehouse.core.tracing;

/**
 * What a client span says about the server a request is forwarded to. The proxy's server type provides it, so
 * that tracing does not depend on the proxy (which depends on tracing).
 */
public interface ClientSpanTarget {

    /** {@code http} or {@code https}. */
    String scheme();

    /** The host (IPv6 without brackets). */
    String host();

    int port();

    /** {@code host:port}. */
    String authority();

    /** The path and query sent to the server for a request's path and query. */
    String target(String pathQuery);
}
