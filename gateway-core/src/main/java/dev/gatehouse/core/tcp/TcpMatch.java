package dev.gatehouse.core.tcp;

import dev.gatehouse.api.TcpMatchContext;
import java.net.InetAddress;
import java.util.List;

/**
 * What a TCP rule sees of a connection before any byte is forwarded: the server name and ALPN protocols of its
 * ClientHello (none for plain TCP), the client's address (the one a trusted PROXY protocol header named) and the
 * entry point's port.
 *
 * @param serverName the SNI, lower case without a trailing dot; null when the client sent none or spoke no TLS
 * @param alpn the protocols the client offered, in its order; empty for plain TCP
 * @param clientAddress the client's IP
 * @param localPort the port the client connected to
 */
public record TcpMatch(String serverName, List<String> alpn, InetAddress clientAddress, int localPort)
        implements TcpMatchContext {

    public TcpMatch {
        alpn = alpn == null ? List.of() : List.copyOf(alpn);
        if (serverName != null) {
            serverName = serverName.toLowerCase(java.util.Locale.ROOT);
            serverName = serverName.endsWith(".") ? serverName.substring(0, serverName.length() - 1) : serverName;
            serverName = serverName.isEmpty() ? null : serverName;
        }
    }

    @Override
    public List<String> alpnProtocols() {
        return alpn;
    }
}
