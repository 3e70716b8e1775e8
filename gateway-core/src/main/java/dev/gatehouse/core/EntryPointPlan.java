package dev.gatehouse.core;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.EntryPointConfig;
import dev.gatehouse.core.config.EntryPointRedirectionConfig;
import dev.gatehouse.core.config.EntryPointTransportConfig;
import dev.gatehouse.core.config.ForwardedHeadersConfig;
import dev.gatehouse.core.config.LifeCycleConfig;
import dev.gatehouse.core.config.ListenAddress;
import dev.gatehouse.core.config.PingConfig;
import dev.gatehouse.core.config.PrometheusMetricsConfig;
import dev.gatehouse.core.config.RedirectionsConfig;
import dev.gatehouse.core.config.StaticConfiguration;
import dev.gatehouse.core.http.ForwardedHeadersPolicy;
import dev.gatehouse.core.http.IpRanges;
import dev.gatehouse.core.http.RequestHeadRules;
import dev.gatehouse.core.server.EntryPointTimeouts;
import dev.gatehouse.core.server.GatewayServer;
import dev.gatehouse.core.server.ListenerSpec;
import dev.gatehouse.core.server.ProxyProtocol;
import dev.gatehouse.core.udp.UdpEntryPointSpec;
import java.time.Duration;
import dev.gatehouse.core.config.dynamic.RouterTlsConfig;
import dev.gatehouse.core.config.EntryPointTlsConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entry points as the static configuration describes them, resolved: listeners in index order, the
 * defaults that routers without {@code entryPoints} join, where {@code /ping} is answered (creating the
 * {@code gatehouse} entry point on {@code :8080} when needed, as Traefik does for {@code traefik}), the
 * grace times, and the entry-point redirections.
 */
final class EntryPointPlan {

    /** The entry point that ping (and later the API) uses unless told otherwise; {@code traefik} is an alias. */
    static final String OPERATIONS_ENTRY_POINT = "gatehouse";
    private static final String OPERATIONS_DEFAULT_ADDRESS = ":8080";
    /** The entry point of a configuration that names none, as Traefik's. */
    static final String DEFAULT_ENTRY_POINT = "http";
    private static final String DEFAULT_ENTRY_POINT_ADDRESS = ":80";

    final List<ListenerSpec> listeners = new ArrayList<>();
    /** The UDP entry points ({@code address: ":53/udp"}): not Jetty connectors, and never defaults of HTTP routers. */
    final List<UdpEntryPointSpec> udpEntryPoints = new ArrayList<>();
    final List<String> defaults = new ArrayList<>();
    int pingIndex = -1;
    int metricsIndex = -1;
    int apiIndex = -1;
    Duration graceTimeout = Duration.ZERO;
    Duration requestAcceptGraceTimeout = Duration.ZERO;
    private final Map<Integer, EntryPointRedirectionConfig> redirections = new HashMap<>();
    /** {@code entryPoints.<name>.http.middlewares}, by entry point name, for those that have some. */
    final Map<String, List<String>> middlewares = new HashMap<>();
    /** {@code http.tls} per entry point index, null where absent. */
    final List<RouterTlsConfig> tls = new ArrayList<>();
    /** {@code global.notAppendXForwardedFor}: what entry points without their own setting do. */
    private boolean notAppendForwardedForByDefault;

    static EntryPointPlan from(StaticConfiguration config) throws ConfigurationException {
        EntryPointPlan plan = new EntryPointPlan();
        plan.notAppendForwardedForByDefault = config.global() != null
                && Boolean.TRUE.equals(config.global().notAppendXForwardedFor());
        List<String> problems = new ArrayList<>();
        List<String> explicitDefaults = new ArrayList<>();
        if (config.entryPoints().isEmpty()) {
            // As Traefik: a configuration without entry points gets 'http' on :80 (before ping's or the API's own).
            plan.add(DEFAULT_ENTRY_POINT, new EntryPointConfig(DEFAULT_ENTRY_POINT_ADDRESS, false, null, null, null));
        }
        config.entryPoints().forEach((name, entryPoint) -> {
            try {
                if (plan.addUdp(name, entryPoint)) {
                    return;
                }
                plan.add(name, entryPoint);
                if (entryPoint.asDefaultOrDefault() && entryPoint.asDefault() != null) {
                    explicitDefaults.add(name);
                }
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        });
        plan.defaults.addAll(explicitDefaults.isEmpty() ? plan.names() : explicitDefaults);

        PingConfig ping = config.ping();
        if (ping != null && !ping.manualRoutingOrDefault()) {
            plan.pingIndex = plan.operationsEntryPoint(ping.entryPointOrDefault(), "ping.entryPoint", problems);
        }
        PrometheusMetricsConfig prometheus = config.metrics() == null ? null : config.metrics().prometheus();
        if (prometheus != null && !prometheus.manualRoutingOrDefault()) {
            plan.metricsIndex = plan.operationsEntryPoint(prometheus.entryPointOrDefault(),
                    "metrics.prometheus.entryPoint", problems);
        }
        if (config.api() != null && config.api().insecureOrDefault()) {
            plan.apiIndex = plan.operationsEntryPoint(PingConfig.DEFAULT_ENTRY_POINT, "api.insecure", problems);
        }
        plan.redirections.forEach((index, redirection) -> {
            String target = redirection.to();
            String where = "entryPoints." + plan.listeners.get(index).name() + ".http.redirections.entryPoint.to";
            if (target == null || target.isBlank()) {
                problems.add(where + ": the target entry point (or :port) is missing");
            } else if (!target.strip().startsWith(":") && plan.indexOf(target.strip()) < 0) {
                problems.add(where + ": entry point '" + target + "' does not exist (known: "
                        + String.join(", ", plan.names()) + ")");
            } else if (target.strip().startsWith(":") && parsePort(target) < 0) {
                problems.add(where + ": '" + target + "' is not a port such as :443");
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return plan;
    }

    /**
     * The index of the entry point named for an operations endpoint (ping, metrics): {@code gatehouse} and
     * {@code traefik} name the same one, created on {@code :8080} when no entry point has either name, as
     * Traefik does for {@code traefik}; any other name must be configured.
     */
    private int operationsEntryPoint(String wanted, String key, List<String> problems) {
        int index = indexOf(wanted);
        if (index < 0 && (wanted.equals(OPERATIONS_ENTRY_POINT) || wanted.equals("traefik"))) {
            index = indexOf(wanted.equals("traefik") ? OPERATIONS_ENTRY_POINT : "traefik");
            if (index < 0) {
                add(OPERATIONS_ENTRY_POINT, new EntryPointConfig(OPERATIONS_DEFAULT_ADDRESS, false));
                index = listeners.size() - 1;
            }
        }
        if (index < 0) {
            problems.add(key + ": entry point '" + wanted + "' does not exist (known: " + String.join(", ", names()) + ")");
        }
        return index;
    }

    /** Plans a UDP entry point; false (and nothing planned) for a TCP one. */
    private boolean addUdp(String name, EntryPointConfig entryPoint) {
        ListenAddress address = entryPoint.listenAddress(name);
        if (!address.udp()) {
            return false;
        }
        udpEntryPoints.add(new UdpEntryPointSpec(name, address.host(), address.port(),
                entryPoint.udpOrDefault().timeoutOrDefault(), entryPoint.udpOrDefault().maxSessionsOrDefault(),
                entryPoint.reusePortOrDefault()));
        return true;
    }

    /** The UDP entry points by name, in configuration order. */
    Map<String, UdpEntryPointSpec> udpSpecs() {
        Map<String, UdpEntryPointSpec> specs = new java.util.LinkedHashMap<>();
        udpEntryPoints.forEach(spec -> specs.put(spec.name(), spec));
        return specs;
    }

    private void add(String name, EntryPointConfig entryPoint) {
        ListenAddress address = entryPoint.listenAddress(name);
        ForwardedHeadersConfig forwarded = entryPoint.forwardedHeadersOrDefault();
        // checked with the static configuration, which names the key and where it was set
        IpRanges trusted = IpRanges.parse(forwarded.trustedIPs());
        EntryPointTransportConfig transport = entryPoint.transportOrDefault();
        if (transport.keepAliveMaxRequestsOrDefault() < 0) {
            throw new IllegalArgumentException("entryPoints." + name + ".transport.keepAliveMaxRequests: "
                    + transport.keepAliveMaxRequests() + " is negative (0 means no limit)");
        }
        boolean notAppendForwardedFor = forwarded.notAppendXForwardedFor() != null
                ? forwarded.notAppendXForwardedFor() : notAppendForwardedForByDefault;
        listeners.add(new ListenerSpec(name, address.host(), address.port(),
                new ForwardedHeadersPolicy(trusted, forwarded.insecureOrDefault(),
                        forwarded.addXForwardedSchemeHeadersOrDefault(), !notAppendForwardedFor),
                entryPoint.httpOrDefault().sanitizePathOrDefault(), EntryPointTimeouts.of(transport),
                entryPoint.httpOrDefault().maxHeaderBytesOrDefault(),
                entryPoint.http2OrDefault().maxConcurrentStreamsOrDefault(), entryPoint.reusePortOrDefault(),
                entryPoint.httpOrDefault().deniedEncodedCharacters(),
                new RequestHeadRules(entryPoint.httpOrDefault().underscoreHeadersOrDefault(),
                        entryPoint.httpOrDefault().encodeQuerySemicolonsOrDefault()),
                ProxyProtocol.of(entryPoint.proxyProtocol())));
        List<String> epMiddlewares = entryPoint.httpOrDefault().middlewaresOrDefault();
        for (String reference : epMiddlewares) {
            if (reference == null || reference.isBlank()) {
                throw new IllegalArgumentException("entryPoints." + name + ".http.middlewares cannot hold an empty name");
            }
        }
        if (!epMiddlewares.isEmpty()) {
            middlewares.put(name, List.copyOf(epMiddlewares));
        }
        EntryPointTlsConfig entryPointTls = entryPoint.httpOrDefault().tls();
        tls.add(entryPointTls == null ? null : entryPointTls.asRouterTls());
        RedirectionsConfig redirection = entryPoint.httpOrDefault().redirections();
        if (redirection != null && redirection.entryPoint() != null) {
            redirections.put(listeners.size() - 1, redirection.entryPoint());
        }
        LifeCycleConfig lifeCycle = transport.lifeCycleOrDefault();
        graceTimeout = max(graceTimeout, lifeCycle.graceTimeOutOrDefault());
        requestAcceptGraceTimeout = max(requestAcceptGraceTimeout, lifeCycle.requestAcceptGraceTimeoutOrDefault());
    }

    /**
     * {@code entryPoints.<name>.http.redirections.entryPoint}, by entry point index: the internal provider makes a
     * router of each ({@link InternalRouters}). Their targets are checked already.
     */
    Map<Integer, EntryPointRedirectionConfig> redirections() {
        return Map.copyOf(redirections);
    }

    private static int parsePort(String target) {
        try {
            int port = Integer.parseInt(target.strip().substring(1));
            return port > 0 && port < 65536 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The port an entry point is configured with (0 when the system picks one). */
    int configuredPort(String name) {
        return listeners.get(indexOf(name)).port();
    }

    /** The address an entry point was configured with, as the API shows it. */
    String address(String name) {
        ListenerSpec listener = listeners.get(indexOf(name));
        return (listener.host() == null ? "" : listener.host()) + ":" + listener.port();
    }

    List<String> names() {
        return listeners.stream().map(ListenerSpec::name).toList();
    }

    int indexOf(String name) {
        return names().indexOf(name);
    }

    /**
     * The start log's list of URLs: https:// for an entry point whose routers are TLS by default ({@code http.tls}),
     * and the demo page unless the first default entry point redirects (the browser would be sent to an entry point
     * without the demo, a 404) or serves TLS only.
     */
    String describe(GatewayServer server, boolean demo) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < listeners.size(); i++) {
            ListenerSpec listener = listeners.get(i);
            if (text.length() > 0) {
                text.append(", ");
            }
            String host = listener.host() == null || listener.host().isEmpty() ? "localhost" : listener.host();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            text.append("entry point ").append(listener.name()).append(" on ").append(tls.get(i) == null ? "http" : "https")
                    .append("://").append(host).append(':').append(server.port(listener.name())).append('/');
            if (redirections.containsKey(i)) {
                text.append(" (redirects to ").append(redirections.get(i).to()).append(')');
            }
        }
        int first = defaults.isEmpty() ? -1 : indexOf(defaults.get(0));
        if (demo && first >= 0 && !redirections.containsKey(first) && tls.get(first) == null) {
            text.append("; open http://localhost:").append(server.port(defaults.get(0))).append("/ to see the demo page");
        }
        return text.toString();
    }

}
