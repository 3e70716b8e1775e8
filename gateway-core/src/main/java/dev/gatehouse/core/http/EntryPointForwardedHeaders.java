package dev.gatehouse.core.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;

/**
 * The {@code X-Forwarded-*} headers as an entry point hands a request on, before routing and before any middleware
 * (Traefik's entry-point {@code forwardedheaders} handler): from a client the entry point does not trust
 * ({@code forwardedHeaders.trustedIPs} / {@code insecure}) every forwarding header it sent is removed, then the
 * entry point's own are added where none is left: {@code X-Real-Ip}, {@code X-Forwarded-Proto} ({@code ws} or
 * {@code wss} for a WebSocket handshake),
 * {@code X-Forwarded-Port}, {@code X-Forwarded-Host} (and {@code X-Forwarded-Scheme} / {@code X-Scheme} with
 * {@code addXForwardedSchemeHeaders}); {@code X-Forwarded-Server} is always this host. Several
 * {@code X-Forwarded-For} fields become one, their values joined.
 *
 * <p>So middlewares see values they can believe, and a {@code headers} middleware can remove one before the proxy
 * sends the rest to the server. The proxy only appends the client's address to {@code X-Forwarded-For}.
 */
public final class EntryPointForwardedHeaders {

    public static final String X_FORWARDED_FOR = "X-Forwarded-For";
    static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    static final String X_FORWARDED_PORT = "X-Forwarded-Port";
    static final String X_FORWARDED_SERVER = "X-Forwarded-Server";
    static final String X_REAL_IP = "X-Real-Ip";
    static final String X_FORWARDED_SCHEME = "X-Forwarded-Scheme";
    static final String X_SCHEME = "X-Scheme";

    /** The connection attribute holding {@link #clientIp}'s answer for that connection. */
    private static final String CLIENT_IP_ATTRIBUTE = EntryPointForwardedHeaders.class.getName() + ".clientIp";

    /** This host's name, as Traefik sends it ({@code os.Hostname}): read once. */
    private static final HttpField FORWARDED_SERVER = new HttpField(X_FORWARDED_SERVER, localHostName());

    private EntryPointForwardedHeaders() {
    }

    /** The request with its forwarding headers as {@code policy} (its entry point's) has them seen by everything after. */
    public static Request apply(Request request, ForwardedHeadersPolicy policy) {
        HttpFields received = request.getHeaders();
        boolean trusted = policy.trusts(request);
        HttpFields.Mutable headers = HttpFields.build(received.size() + 6);
        String forwardedFor = null;
        for (HttpField field : received) {
            if (isForwardingHeader(field)) {
                if (!trusted) {
                    continue;
                }
                if (field.is(X_FORWARDED_FOR)) {
                    forwardedFor = forwardedFor == null ? field.getValue() : forwardedFor + ", " + field.getValue();
                    continue;
                }
            }
            headers.add(field);
        }
        // The fields known to be absent are added, not put: put looks through every field for one to replace.
        if (forwardedFor != null) {
            headers.add(X_FORWARDED_FOR, forwardedFor);
        }
        if (!headers.contains(X_REAL_IP)) {
            headers.add(X_REAL_IP, clientIp(request));
        }
        boolean secure = request.isSecure();
        if (!headers.contains(X_FORWARDED_PROTO)) {
            // As Traefik: a WebSocket handshake is forwarded as ws/wss, the scheme of the connection it asks for.
            headers.add(X_FORWARDED_PROTO, isWebSocketHandshake(received) ? (secure ? "wss" : "ws")
                    : secure ? "https" : "http");
        }
        String clientHost = received.get(HttpHeader.HOST);
        if (clientHost == null) {
            clientHost = request.getHttpURI().getAuthority();   // HTTP/2: :authority
        }
        if (!headers.contains(X_FORWARDED_PORT)) {
            headers.add(X_FORWARDED_PORT, forwardedPort(clientHost, secure));
        }
        if (policy.addSchemeHeaders()) {
            // For backends written for proxies that send the scheme under these names: the X-Forwarded-Proto value.
            String scheme = headers.get(X_FORWARDED_PROTO);
            headers.put(X_FORWARDED_SCHEME, scheme);
            headers.put(X_SCHEME, scheme);
        }
        if (!headers.contains(X_FORWARDED_HOST) && clientHost != null) {
            headers.add(X_FORWARDED_HOST, clientHost);
        }
        headers.put(FORWARDED_SERVER);
        HttpFields sanitized = headers.asImmutable();
        return new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
                return sanitized;
            }
        };
    }

    /**
     * Whether the field is a forwarding header an untrusted client may not set: every {@code X-Forwarded-*},
     * {@code X-Real-Ip} and {@code X-Scheme} (Traefik counts it among them).
     */
    public static boolean isForwardingHeader(HttpField field) {
        // Compared ignoring case in place: a lower-cased copy of every name of every request showed in the profile.
        String name = field.getName();
        return name.regionMatches(true, 0, "x-forwarded-", 0, 12) || name.equalsIgnoreCase("x-real-ip")
                || name.equalsIgnoreCase("x-scheme");
    }

    /** Whether the request asks to become a WebSocket: {@code Connection: upgrade} and {@code Upgrade: websocket}. */
    static boolean isWebSocketHandshake(HttpFields headers) {
        return headers.contains(HttpHeader.CONNECTION, "upgrade") && headers.contains(HttpHeader.UPGRADE, "websocket");
    }

    /** The client's address without an IPv6 zone, as the forwarding headers carry it. */
    public static String clientIp(Request request) {
        // The same for every request of a connection, so it is written out once per connection: making the string
        // twice per request (X-Real-Ip, X-Forwarded-For) showed in the allocation profile.
        ConnectionMetaData connection = request.getConnectionMetaData();
        if (connection.getAttribute(CLIENT_IP_ATTRIBUTE) instanceof String known) {
            return known;
        }
        String ip = clientIpOf(connection, request);
        connection.setAttribute(CLIENT_IP_ATTRIBUTE, ip);
        return ip;
    }

    private static String clientIpOf(ConnectionMetaData connection, Request request) {
        SocketAddress remote = connection.getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String ip = inet.getAddress().getHostAddress();
            int zone = ip.indexOf('%');
            return zone < 0 ? ip : ip.substring(0, zone);
        }
        return Request.getRemoteAddr(request);
    }

    /** The port the client addressed: from its Host header, else the scheme's default. */
    static String forwardedPort(String host, boolean secure) {
        if (host != null) {
            int colon = host.lastIndexOf(':');
            int bracket = host.lastIndexOf(']');
            if (colon > bracket && colon < host.length() - 1) {
                return host.substring(colon + 1);
            }
        }
        return secure ? "443" : "80";
    }

    private static String localHostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
