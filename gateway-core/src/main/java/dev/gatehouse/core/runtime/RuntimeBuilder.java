package dev.gatehouse.core.runtime;

import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.runtime.MiddlewareDefinitions.PreparedMiddleware;
import dev.gatehouse.core.router.Route;
import dev.gatehouse.core.router.RoutingTable;
import dev.gatehouse.core.service.ServiceHandler;
import dev.gatehouse.core.tcp.TcpRouting;
import dev.gatehouse.core.tcp.TcpRuntimeBuilder;
import dev.gatehouse.core.tcp.TcpRules;
import dev.gatehouse.core.tls.TlsRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Builds a {@link GatewayRuntime} from a bound configuration, stage by stage: middlewares are bound
 * ({@link MiddlewareDefinitions}), services built behind their own middlewares ({@link ServiceBuilder}), routers
 * compiled and sorted into each entry point's routing tables ({@link RouterBuilder}), and the certificates and TLS
 * options loaded for what the TLS routers need ({@link TlsPlan}); what came of each element is the runtime's
 * {@link RuntimeModel}. A problem disables the element it is in and
 * every router that depends on that element, and nothing else.
 */
public final class RuntimeBuilder {

    private final RuntimeSettings settings;
    private final MiddlewareDefinitions middlewareDefinitions;
    private final RouterBuilder routers;
    /** The clients of the {@code http.serversTransports}, kept from one runtime to the next while unchanged. */
    private final SharedTransports sharedTransports = new SharedTransports(Transports::start);
    /**
     * The load balancers of the last runtime built, which the next build uses again when unchanged
     * ({@link ServiceBuilder.ReusableService}). Only the last build's are kept: a runtime built and never swapped in
     * (the gateway's apply failed after the build) shares them only with the runtime that keeps serving, and
     * neither stops them (they own nothing that stops).
     */
    private Map<String, ServiceBuilder.ReusableService> previousServices = Map.of();
    /** The routers' names in order, kept for the next build (most changes keep every name). */
    private final SortedKeys sortedRouterNames = new SortedKeys();

    public RuntimeBuilder(RuntimeSettings settings) {
        this.settings = settings;
        this.middlewareDefinitions = new MiddlewareDefinitions(settings.extensions(), settings.mapper());
        this.routers = new RouterBuilder(settings);
    }

    public GatewayRuntime build(BoundConfiguration configuration) {
        List<ConfigProblem> problems = new ArrayList<>(configuration.problems());
        Transports transports = new Transports(settings.upstream(), sharedTransports, configuration.serversTransports(),
                problems);
        try {
            return build(configuration, problems, transports);
        } catch (RuntimeException | Error e) {
            // No runtime will give the transports back: do it now, so that a client no runtime uses is closed.
            transports.leases().forEach(BuildFailures::stopQuietly);
            throw e;
        }
    }

    private GatewayRuntime build(BoundConfiguration configuration, List<ConfigProblem> problems, Transports transports) {
        List<LifeCycle> healthChecks = new ArrayList<>();
        // Before the services: a service's own middlewares (http.services.<name>.middlewares) wrap it as it is built.
        Map<String, PreparedMiddleware> middlewares = middlewareDefinitions.prepare(configuration, problems);
        List<LifeCycle> components = new ArrayList<>();
        ServiceBuilder serviceBuilder = new ServiceBuilder(settings, configuration, problems, healthChecks,
                transports, middlewares, components, previousServices);
        Map<String, ServiceHandler> built = serviceBuilder.buildAll();
        previousServices = serviceBuilder.reusable();
        transports.checkUnused();
        Map<String, Handler> services = new HashMap<>(settings.internalServices());
        services.putAll(built);

        TlsPlan tlsPlan = new TlsPlan(configuration.tls());
        // In name order: routers are built in it, and the model's map is made from it without comparing names.
        List<String> routerNames = sortedRouterNames.of(configuration.routers());
        RouterBuilder.Routing routing = routers.build(configuration, routerNames, services, middlewares, tlsPlan, problems,
                components);
        TcpRouting tcpRouting = buildTcp(configuration, routing, tlsPlan, problems);
        TlsRuntime tlsRuntime = tlsPlan.build(settings.tls(), settings.certificateDemands(), problems);
        for (LifeCycle check : healthChecks) {
            try {
                check.start();
            } catch (Exception e) {
                problems.add(new ConfigProblem(ConfigElement.other(check.toString()), "", ProblemKind.UNEXPECTED,
                        "could not start: " + e));
            }
        }
        RuntimeModel model = RuntimeModel.of(configuration, routerNames, routing.served(), problems, built,
                routers.middlewareUsers(configuration, middlewares), settings.internalServices().keySet());
        return new GatewayRuntime(routing.tables(), routing.tlsTables(), tlsRuntime, components, healthChecks,
                transports.leases(), model, tcpRouting);
    }

    /**
     * The TCP routers, after the HTTP ones: on a TLS connection, HTTP routers naming its server name go first
     * (as in Traefik), so the TCP routing needs to know what they claim. Terminating TCP routers take their
     * certificates and options from the same TLS plan as HTTP routers.
     */
    private TcpRouting buildTcp(BoundConfiguration configuration, RouterBuilder.Routing routing, TlsPlan tlsPlan,
            List<ConfigProblem> problems) {
        List<TcpRuntimeBuilder.HttpTlsClaims> claims = new ArrayList<>();
        for (RoutingTable table : routing.tlsTables()) {
            java.util.Set<String> hosts = new java.util.HashSet<>();
            boolean anyHost = false;
            for (Route route : table.routes()) {
                java.util.Set<String> possible = route.predicate().possibleHosts();
                if (possible == null) {
                    anyHost = true;
                } else {
                    hosts.addAll(possible);
                }
            }
            claims.add(new TcpRuntimeBuilder.HttpTlsClaims(hosts, anyHost));
        }
        TcpRules rules = new TcpRules(settings.extensions()::tcpMatcher,
                settings.extensions().names(dev.gatehouse.core.plugin.ExtensionKind.TCP_MATCHER));
        return new TcpRuntimeBuilder(settings.entryPoints(), settings.defaultEntryPoints(), rules).build(configuration.tcp(),
                claims, (router, tls, provider, hosts) -> {
                    String options = TlsPlan.optionsName(tls, provider);
                    if (!options.equals(dev.gatehouse.core.tls.TlsManager.DEFAULT_OPTIONS)
                            && !configuration.tls().options().containsKey(options)) {
                        return "TLS options '" + options + "' do not exist (known: " + (configuration.tls().options()
                                .isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(
                                        configuration.tls().options().keySet()))) + ")";
                    }
                    tlsPlan.add(router, tls, provider, hosts);
                    return null;
                }, problems, new java.util.HashSet<>());
    }
}
