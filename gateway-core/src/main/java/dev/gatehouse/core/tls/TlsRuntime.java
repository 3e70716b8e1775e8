package dev.gatehouse.core.tls;

import java.util.Map;

/**
 * The TLS side of one configuration: which options a connection gets, by the SNI of its ClientHello. As in
 * Traefik, a host takes the options of the TLS routers whose domains name it; a host claimed by routers with
 * different options, an unknown host, and a handshake without SNI take the {@code default} options.
 */
public final class TlsRuntime {

    private final Map<String, TlsPolicy> byHost;
    private final TlsPolicy defaultPolicy;

    public TlsRuntime(Map<String, TlsPolicy> byHost, TlsPolicy defaultPolicy) {
        this.byHost = Map.copyOf(byHost);
        this.defaultPolicy = defaultPolicy;
    }

    public TlsPolicy policyFor(String serverName) {
        if (serverName == null || byHost.isEmpty()) {
            return defaultPolicy;
        }
        String name = CertificateStore.normalise(serverName);
        TlsPolicy policy = byHost.get(name);
        if (policy == null) {
            int dot = name.indexOf('.');
            policy = dot > 0 ? byHost.get("*" + name.substring(dot)) : null;
        }
        return policy == null ? defaultPolicy : policy;
    }

    public TlsPolicy defaultPolicy() {
        return defaultPolicy;
    }
}
