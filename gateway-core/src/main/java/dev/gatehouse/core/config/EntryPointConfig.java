package dev.gatehouse.core.config;

import dev.gatehouse.core.config.dynamic.ObservabilityConfig;

/**
 * {@code entryPoints.<name>}: a socket the gateway listens on.
 *
 * @param address {@code host:port}, {@code :port} or {@code [::1]:port}; required
 * @param asDefault whether routers without {@code entryPoints} attach here (see {@link #asDefaultOrDefault()})
 * @param transport connection life cycle settings; null means the defaults
 * @param forwardedHeaders which clients' {@code X-Forwarded-*} headers are trusted; null means none
 * @param http how requests are treated before routing (path sanitising); null means the defaults
 * @param http2 HTTP/2 settings; null means the defaults
 * @param reusePort open the socket with {@code SO_REUSEPORT}, so that several processes (an old and a new gateway
 *        during an upgrade) can listen on the same port; default false
 * @param observability which observations its requests get (access log, metrics) unless their router says
 *        otherwise; null means all
 * @param proxyProtocol read the PROXY protocol header (v1 or v2) that a load balancer in front sends, from the
 *        addresses it trusts; null means off
 * @param udp the settings of a UDP entry point ({@code address: ":53/udp"}): its session idle timeout; null means
 *        the defaults
 */
public record EntryPointConfig(
        String address,
        Boolean asDefault,
        EntryPointTransportConfig transport,
        ForwardedHeadersConfig forwardedHeaders,
        EntryPointHttpConfig http,
        EntryPointHttp2Config http2,
        Boolean reusePort,
        ObservabilityConfig observability,
        ProxyProtocolConfig proxyProtocol,
        EntryPointUdpConfig udp) {

    /** An entry point without UDP settings. */
    public EntryPointConfig(String address, Boolean asDefault, EntryPointTransportConfig transport,
            ForwardedHeadersConfig forwardedHeaders, EntryPointHttpConfig http, EntryPointHttp2Config http2,
            Boolean reusePort, ObservabilityConfig observability, ProxyProtocolConfig proxyProtocol) {
        this(address, asDefault, transport, forwardedHeaders, http, http2, reusePort, observability, proxyProtocol,
                null);
    }

    /** Convenience for an entry point with no settings but its address and default flag. */
    public EntryPointConfig(String address, Boolean asDefault) {
        this(address, asDefault, null, null, null, null, null, null, null, null);
    }

    /** An entry point without HTTP/2 settings, port sharing or observability switches (every observation on). */
    public EntryPointConfig(String address, Boolean asDefault, EntryPointTransportConfig transport,
            ForwardedHeadersConfig forwardedHeaders, EntryPointHttpConfig http) {
        this(address, asDefault, transport, forwardedHeaders, http, null, null, null, null, null);
    }

    /**
     * Whether this entry point is a default one. As in Traefik, when no entry point says
     * {@code asDefault: true}, every entry point is a default one; so an unset value means false
     * here and the caller applies that rule across all entry points.
     */
    public boolean asDefaultOrDefault() {
        return Boolean.TRUE.equals(asDefault);
    }

    public EntryPointTransportConfig transportOrDefault() {
        return transport == null ? new EntryPointTransportConfig(null, null, null, null) : transport;
    }

    public ForwardedHeadersConfig forwardedHeadersOrDefault() {
        return forwardedHeaders == null ? new ForwardedHeadersConfig(null, null, null, null, null) : forwardedHeaders;
    }

    public EntryPointHttpConfig httpOrDefault() {
        return http == null ? new EntryPointHttpConfig(null, null, null, null, null, null, null, null) : http;
    }

    public EntryPointHttp2Config http2OrDefault() {
        return http2 == null ? new EntryPointHttp2Config(null) : http2;
    }

    public EntryPointUdpConfig udpOrDefault() {
        return udp == null ? new EntryPointUdpConfig(null, null) : udp;
    }

    public boolean reusePortOrDefault() {
        return Boolean.TRUE.equals(reusePort);
    }

    /**
     * The parsed {@link #address()}.
     *
     * @param name the entry point's name, for the error message
     * @throws IllegalArgumentException naming the entry point when the address is missing or malformed
     */
    public ListenAddress listenAddress(String name) {
        return ListenAddress.parse(name, address);
    }
}
