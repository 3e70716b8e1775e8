package dev.gatehouse.plugins.middlewares.internal;

import dev.gatehouse.api.ForwardedHeaders;
import dev.gatehouse.api.net.IpBlock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * What identifies the client for ipAllowList, rateLimit and inFlightReq: Traefik's {@code ipStrategy}
 * ({@code depth}, {@code excludedIPs}), {@code requestHeaderName} or {@code requestHost}.
 *
 * <p>{@code X-Forwarded-For} is read only from clients the entry point trusts (forwardedHeaders.trustedIPs): Traefik's
 * entry point removes it from anyone else before any middleware runs, and so does this, in effect.
 */
public final class SourceCriterion {

    /**
     * Traefik's {@code ipStrategy}. {@code ipv6Subnet} (Traefik v3.2+) masks an IPv6 client address to that prefix
     * length, so every address of one subnet counts as one client; it applies to the connection address and to
     * {@code depth}, not to {@code excludedIPs}, as in Traefik.
     */
    public record IpStrategyConfig(Integer depth, List<String> excludedIPs, Integer ipv6Subnet) {

        public IpStrategyConfig(Integer depth, List<String> excludedIPs) {
            this(depth, excludedIPs, null);
        }
    }

    /** Traefik's {@code sourceCriterion}. */
    public record Config(IpStrategyConfig ipStrategy, String requestHeaderName, Boolean requestHost) {
    }

    private enum Kind { REMOTE_ADDR, DEPTH, EXCLUDED, HEADER, HOST }

    private final Kind kind;
    private final int depth;
    private final List<IpBlock> excluded;
    private final String header;
    /** The IPv6 prefix length the chosen address is masked to; 0 for none. */
    private final int ipv6Subnet;

    private SourceCriterion(Kind kind, int depth, List<IpBlock> excluded, String header) {
        this(kind, depth, excluded, header, 0);
    }

    private SourceCriterion(Kind kind, int depth, List<IpBlock> excluded, String header, int ipv6Subnet) {
        this.kind = kind;
        this.depth = depth;
        this.excluded = excluded;
        this.header = header;
        this.ipv6Subnet = ipv6Subnet;
    }

    /** The client's IP by {@code ipStrategy} (null: the connection's address). */
    public static SourceCriterion ipStrategy(IpStrategyConfig strategy) {
        if (strategy == null) {
            return new SourceCriterion(Kind.REMOTE_ADDR, 0, List.of(), null);
        }
        int depth = strategy.depth() == null ? 0 : strategy.depth();
        if (depth < 0) {
            throw new IllegalArgumentException("'ipStrategy.depth' must not be negative");
        }
        int ipv6Subnet = strategy.ipv6Subnet() == null ? 0 : strategy.ipv6Subnet();
        boolean excludes = strategy.excludedIPs() != null && !strategy.excludedIPs().isEmpty();
        // Traefik checks the range only where the option applies (depth, or the connection address).
        if (strategy.ipv6Subnet() != null && (depth > 0 || !excludes) && (ipv6Subnet <= 0 || ipv6Subnet > 128)) {
            throw new IllegalArgumentException("'ipStrategy.ipv6Subnet' must be a prefix length from 1 to 128, not "
                    + ipv6Subnet);
        }
        if (depth > 0) {
            return new SourceCriterion(Kind.DEPTH, depth, List.of(), null, ipv6Subnet);
        }
        if (excludes) {
            List<IpBlock> blocks = new ArrayList<>();
            for (String ip : strategy.excludedIPs()) {
                try {
                    blocks.add(IpBlock.parse(ip));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'ipStrategy.excludedIPs': " + e.getMessage());
                }
            }
            return new SourceCriterion(Kind.EXCLUDED, 0, List.copyOf(blocks), null);
        }
        return new SourceCriterion(Kind.REMOTE_ADDR, 0, List.of(), null, ipv6Subnet);
    }

    /** Traefik's sourceCriterion: one of ipStrategy, requestHeaderName, requestHost; the connection's address by default. */
    public static SourceCriterion of(Config config) {
        if (config == null) {
            return ipStrategy(null);
        }
        int set = (config.ipStrategy() != null ? 1 : 0)
                + (config.requestHeaderName() != null && !config.requestHeaderName().isEmpty() ? 1 : 0)
                + (Boolean.TRUE.equals(config.requestHost()) ? 1 : 0);
        if (set > 1) {
            throw new IllegalArgumentException("'sourceCriterion': ipStrategy, requestHeaderName and requestHost are mutually exclusive");
        }
        if (config.requestHeaderName() != null && !config.requestHeaderName().isEmpty()) {
            return new SourceCriterion(Kind.HEADER, 0, List.of(), config.requestHeaderName());
        }
        if (Boolean.TRUE.equals(config.requestHost())) {
            return new SourceCriterion(Kind.HOST, 0, List.of(), null);
        }
        return ipStrategy(config.ipStrategy());
    }

    /** The source of this request; "" when the strategy finds none (too shallow X-Forwarded-For, missing header). */
    public String extract(Request request) {
        switch (kind) {
            case HEADER:
                String value = request.getHeaders().get(header);
                return value == null ? "" : value;
            case HOST:
                String host = request.getHeaders().get(HttpHeader.HOST);
                return host != null ? host : request.getHttpURI().getAuthority() == null ? "" : request.getHttpURI().getAuthority();
            case DEPTH:
                return masked(byDepth(forwardedFor(request), depth), ipv6Subnet);
            case EXCLUDED:
                return notExcluded(forwardedFor(request));
            default:
                return masked(remoteAddr(request), ipv6Subnet);
        }
    }

    /**
     * The first address of {@code ip}'s IPv6 subnet of {@code prefix} bits ({@code ::abcd:ffff:c0a8:1} and 80 give
     * {@code ::abcd:0:0:0}); {@code ip} itself when it is IPv4, not an IP, or {@code prefix} is 0.
     */
    static String masked(String ip, int prefix) {
        if (prefix <= 0 || ip.indexOf(':') < 0) {
            return ip;
        }
        byte[] address = IpBlock.address(ip);
        if (address == null || address.length != 16) {
            return ip;
        }
        for (int bit = prefix; bit < 128; bit++) {
            address[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            return ip; // cannot happen: 16 bytes are always an IPv6 address
        }
    }

    /** The first X-Forwarded-For header's value, if the entry point trusts the client; else "". */
    private static String forwardedFor(Request request) {
        if (!ForwardedHeaders.trusted(request)) {
            return "";
        }
        String xff = request.getHeaders().get("X-Forwarded-For");
        return xff == null ? "" : xff;
    }

    /** Counted from the right: depth 1 is the last entry (TRAEFIK-FACTS 28). */
    static String byDepth(String xff, int depth) {
        String[] parts = xff.split(",", -1);
        if (xff.isEmpty() || parts.length < depth) {
            return "";
        }
        return parts[parts.length - depth].strip();
    }

    private String notExcluded(String xff) {
        String[] parts = xff.split(",", -1);
        for (int i = parts.length - 1; i >= 0; i--) {
            String ip = parts[i].strip();
            if (ip.isEmpty()) {
                continue;
            }
            byte[] address = IpBlock.address(ip);
            boolean isExcluded = false;
            if (address != null) {
                for (IpBlock block : excluded) {
                    if (block.contains(address)) {
                        isExcluded = true;
                        break;
                    }
                }
            }
            if (!isExcluded) {
                return ip;
            }
        }
        return "";
    }

    /** The connection's remote IP, without an IPv6 zone. */
    public static String remoteAddr(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String ip = inet.getAddress().getHostAddress();
            int zone = ip.indexOf('%');
            return zone < 0 ? ip : ip.substring(0, zone);
        }
        String addr = Request.getRemoteAddr(request);
        return addr == null ? "" : addr;
    }
}
