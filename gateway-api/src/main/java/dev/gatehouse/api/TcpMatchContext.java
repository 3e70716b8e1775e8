package dev.gatehouse.api;

import java.net.InetAddress;
import java.util.List;

/**
 * A new TCP connection as TCP rule functions see it, before any byte is forwarded: for a TLS connection what its
 * ClientHello says, and where it comes from.
 *
 * <pre>{@code
 * TcpPredicate databaseHost = connection -> "db.example.com".equals(connection.serverName());
 * }</pre>
 */
public interface TcpMatchContext {

    /**
     * The server name (SNI) of the ClientHello, lower case without a trailing dot; null for a connection that
     * is not TLS or a ClientHello without one.
     */
    String serverName();

    /** The ALPN protocols the client offered, in its order; empty for a connection that is not TLS. */
    List<String> alpnProtocols();

    /** The client's address: the one a trusted PROXY protocol header named, else the connection's own. */
    InetAddress clientAddress();

    /** The port of the entry point the client connected to. */
    int localPort();
}
