package dev.gatehouse.core.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.server.Request;

/**
 * Whether an entry point believes the {@code X-Forwarded-*} headers a client sends
 * ({@code entryPoints.<ep>.forwardedHeaders}): only from {@code trustedIPs}, or from anyone with
 * {@code insecure}. Untrusted ones are replaced, so a client cannot claim another address.
 *
 * @param addSchemeHeaders also send {@code X-Forwarded-Scheme} and {@code X-Scheme}, set to the value of
 *        {@code X-Forwarded-Proto} ({@code forwardedHeaders.addXForwardedSchemeHeaders})
 * @param appendForwardedFor add the client's address to {@code X-Forwarded-For}; false with
 *        {@code forwardedHeaders.notAppendXForwardedFor} (or {@code global.notAppendXForwardedFor}), where a trusted
 *        client's header goes on unchanged and none is made up
 */
public record ForwardedHeadersPolicy(IpRanges trustedIps, boolean insecure, boolean addSchemeHeaders,
        boolean appendForwardedFor) {

    public static final ForwardedHeadersPolicy TRUST_NONE = new ForwardedHeadersPolicy(IpRanges.none(), false);

    public ForwardedHeadersPolicy(IpRanges trustedIps, boolean insecure) {
        this(trustedIps, insecure, false, true);
    }

    public boolean trusts(Request request) {
        if (insecure) {
            return true;
        }
        if (trustedIps.isEmpty()) {
            return false;
        }
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet && trustedIps.contains(inet.getAddress());
    }
}
