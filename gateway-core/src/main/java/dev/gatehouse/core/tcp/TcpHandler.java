package dev.gatehouse.core.tcp;

/**
 * What a TCP router hands a connection to: its middlewares, each wrapping the next, and at the end its service,
 * which connects the client to a server. Called once per connection, on a connection's thread: it must not block.
 */
@FunctionalInterface
public interface TcpHandler {

    void handle(TcpTunnel tunnel);
}
