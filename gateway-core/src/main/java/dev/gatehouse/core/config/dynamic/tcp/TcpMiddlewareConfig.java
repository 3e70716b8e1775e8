package dev.gatehouse.core.config.dynamic.tcp;

import java.util.List;

/**
 * {@code tcp.middlewares.<name>}: exactly one of the types below, as in Traefik.
 *
 * @param ipAllowList accept connections only from these addresses
 * @param inFlightConn at most this many open connections per client address
 */
public record TcpMiddlewareConfig(IpAllowList ipAllowList, InFlightConn inFlightConn) {

    /** @param sourceRange IPs and CIDRs allowed */
    public record IpAllowList(List<String> sourceRange) {
        public IpAllowList {
            sourceRange = sourceRange == null ? List.of() : List.copyOf(sourceRange);
        }
    }

    /** @param amount the most connections open at once from one client IP */
    public record InFlightConn(Long amount) {
    }
}
