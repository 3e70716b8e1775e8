package dev.gatehouse.core.http;

/**
 * A client connection taken over after a protocol upgrade (a WebSocket): once the server answered 101, bytes pass
 * both ways untouched until either side closes. Its exchange is complete as far as HTTP is concerned, but the
 * connection to the server it uses still belongs to a transport, so the runtime it started on holds on until
 * the tunnel ends. The upgraded connection is found in the request's
 * {@link org.eclipse.jetty.server.HttpStream#UPGRADE_CONNECTION_ATTRIBUTE} when its exchange succeeds.
 */
public interface Tunnel {

    /**
     * Runs {@code ended} once, when the tunnel is closed at both ends; at once when it is already. One action per
     * tunnel.
     */
    void whenEnded(Runnable ended);
}
