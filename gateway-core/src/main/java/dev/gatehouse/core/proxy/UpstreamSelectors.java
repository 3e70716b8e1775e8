package dev.gatehouse.core.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * Selector threads that can carry connections to servers as well as the connections they accept: an entry point's
 * (the server module's {@code EntryPointConnector}). The gateway's own upstream path opens its connections there,
 * so that one thread reads a client's request, writes it to the server, reads the server's response and writes it to
 * the client, without waking another thread between them, as nginx's event loop does (docs/performance.md, "One
 * thread per exchange").
 */
public interface UpstreamSelectors {

    /**
     * Opens a connection to {@code address} on these selectors, as Jetty's {@code ClientConnector.connect} does:
     * {@code context} gives the connection's factory ({@code ClientConnectionFactory.CONTEXT_KEY}) and the promise
     * told of the opened connection or of the failure ({@code ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY}), which
     * is told once. A connection not made within {@code connectTimeout} fails (none when zero or negative); an open
     * one idle for {@code idleTimeout} is closed (none when zero or negative).
     *
     * @return false when these selectors do not carry connections to servers (the caller opens it elsewhere)
     */
    boolean connect(InetSocketAddress address, Map<String, Object> context, Duration connectTimeout,
            Duration idleTimeout);
}
