package dev.gatehouse.core.udp;

import java.time.Duration;

/**
 * What the gateway needs to open one UDP entry point ({@code address: ":53/udp"}).
 *
 * @param name the entry point's name
 * @param host the address to bind, or null for every interface
 * @param port the port (0 picks a free one, for tests)
 * @param idleTimeout {@code udp.timeout}: a session without a datagram either way for this long is closed
 * @param maxSessions how many sessions may be open at once; a new client's datagram beyond that is dropped
 * @param reusePort whether the socket is opened with {@code SO_REUSEPORT}
 */
public record UdpEntryPointSpec(String name, String host, int port, Duration idleTimeout, int maxSessions,
        boolean reusePort) {

    /** The address as the API and messages show it: {@code :53/udp}, {@code [::1]:53/udp}. */
    public String address() {
        String shownHost = host == null ? "" : host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return shownHost + ":" + port + "/udp";
    }
}
