package dev.gatehouse.core.runtime;

import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.ElementNames;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.proxy.JettyUpstreamClient;
import dev.gatehouse.core.proxy.LeanUpstreamClient;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamSettings;
import dev.gatehouse.core.proxy.UpstreamTls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The upstream clients of one runtime: the gateway's default one (the static {@code serversTransport}, also
 * named {@code default@internal}, which lives as long as the gateway), and one per {@code http.serversTransports}
 * entry that a service uses, leased from the {@link SharedTransports} when the runtime is built and given back
 * when it retires. Equal transports (two providers declaring the same settings, or the same settings before and
 * after a reload) share one client.
 */
final class Transports {

    private final UpstreamClient defaultClient;
    private final SharedTransports shared;
    private final Map<String, Defined<ServersTransportConfig>> configs;
    private final Map<String, UpstreamClient> byName = new HashMap<>();
    private final Map<ServersTransportConfig, UpstreamClient> byConfig = new HashMap<>();
    private final Map<String, String> failures = new HashMap<>();
    private final List<ConfigProblem> problems;
    private final List<LifeCycle> leases = new ArrayList<>();

    Transports(UpstreamClient defaultClient, SharedTransports shared,
            Map<String, Defined<ServersTransportConfig>> configs, List<ConfigProblem> problems) {
        this.defaultClient = defaultClient;
        this.shared = shared;
        this.configs = configs == null ? Map.of() : configs;
        this.problems = problems;
    }

    /** The client for a service's {@code serversTransport} reference; the default one for null. */
    UpstreamClient client(String reference, String provider) {
        if (reference == null || reference.isBlank() || reference.strip().equals("default@internal")) {
            return defaultClient;
        }
        String name = ElementNames.qualify(reference, provider);
        UpstreamClient client = byName.get(name);
        if (client != null) {
            return client;
        }
        if (failures.containsKey(name)) {
            throw new IllegalArgumentException("loadBalancer.serversTransport: '" + name + "' is disabled: " + failures.get(name));
        }
        Defined<ServersTransportConfig> defined = configs.get(name);
        if (defined == null) {
            throw new IllegalArgumentException("loadBalancer.serversTransport: '" + name + "' does not exist");
        }
        try {
            client = byConfig.get(defined.value());
            if (client == null) {
                SharedTransports.Lease lease = shared.acquire(defined.value());
                leases.add(lease);
                client = lease.client();
                byConfig.put(defined.value(), client);
            }
            byName.put(name, client);
            return client;
        } catch (Exception e) {
            String reason = fail(name, defined, e);
            throw new IllegalArgumentException("loadBalancer.serversTransport: '" + name + "' is disabled: " + reason);
        }
    }

    /**
     * Reports the entries that no service used and whose settings cannot make a client (an unknown TLS version or
     * cipher suite, an unreadable certificate), as Traefik reports every transport it fails to build, so that
     * {@code gatehouse check} and the log show the mistake before a service refers to the entry. No client is made
     * for them.
     */
    void checkUnused() {
        configs.forEach((name, defined) -> {
            if (byName.containsKey(name) || failures.containsKey(name)) {
                return;
            }
            try {
                refuseUnsupported(defined.value());
                UpstreamTls.of(defined.value());
            } catch (Exception e) {
                fail(name, defined, e);
            }
        });
    }

    private String fail(String name, Defined<ServersTransportConfig> defined, Exception e) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        failures.put(name, reason);
        problems.add(new ConfigProblem(new ConfigElement(ConfigElement.Type.SERVERS_TRANSPORT, name), defined.origin(),
                ProblemKind.INVALID, reason));
        return reason;
    }

    private static void refuseUnsupported(ServersTransportConfig config) {
        if (config.peerCertURI() != null || config.spiffe() != null) {
            throw new IllegalArgumentException("peerCertURI and spiffe are not supported");
        }
    }

    /** Makes and starts the client of a {@code http.serversTransports} entry (for {@link SharedTransports}). */
    static UpstreamClient start(ServersTransportConfig config) throws Exception {
        UpstreamClient client = create(config);
        client.start();
        return client;
    }

    private static UpstreamClient create(ServersTransportConfig config) throws Exception {
        refuseUnsupported(config);
        UpstreamSettings settings = UpstreamSettings.of(config);
        // Its own threads, not the server's: a runtime's transports are stopped after the server's pool at
        // shutdown, and selector threads borrowed from that pool would hold its stop for the whole stop timeout.
        // The lean client for the requests it handles (plain http:// GET/HEAD), Jetty's for the rest.
        return LeanUpstreamClient.selectFor(new JettyUpstreamClient(settings, null, UpstreamTls.of(config),
                !Boolean.TRUE.equals(config.disableHTTP2())), settings, null);
    }

    /** This runtime's leases on its transports' clients, to stop (give back) when it retires. */
    List<LifeCycle> leases() {
        return leases;
    }
}
