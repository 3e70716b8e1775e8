package dev.gatehouse.core.dynamic;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.config.ConfigBinder;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.api.config.LoadBalancerConfig;
import dev.gatehouse.api.config.MiddlewareConfig;
import dev.gatehouse.api.config.RouterConfig;
import dev.gatehouse.api.config.ServerConfig;
import dev.gatehouse.api.config.ServiceConfig;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamServer;
import dev.gatehouse.core.router.Route;
import dev.gatehouse.core.router.RoutingTable;
import dev.gatehouse.core.router.RuleCompiler;
import dev.gatehouse.core.router.RuleSyntaxException;
import dev.gatehouse.core.service.LoadBalancedService;
import dev.gatehouse.api.config.DomainConfig;
import dev.gatehouse.api.config.RouterTlsConfig;
import dev.gatehouse.core.tls.TlsManager;
import dev.gatehouse.core.tls.TlsRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Builds a {@link GatewayRuntime} from a bound configuration: compiles every rule, binds every
 * middleware's options to its type, composes each router's chain once, and sorts each entry point's
 * routers. A problem disables the element it is in and every router that depends on that element, and
 * nothing else.
 */
public final class RuntimeBuilder {

    private final List<String> entryPoints;
    private final List<String> defaultEntryPoints;
    private final Map<Integer, List<Route>> fixedRoutes;
    private final ExtensionRegistry extensions;
    private final RuleCompiler rules;
    private final UpstreamClient upstream;
    private final Map<String, Handler> internalServices;
    private final ObjectMapper mapper;
    private final Server server;
    private final List<RouterTlsConfig> entryPointTls;
    private final TlsManager tls;
    private final CertificateDemands demands;

    /**
     * What routers with a {@code certResolver} need, handed over once per configuration.
     */
    @FunctionalInterface
    public interface CertificateDemands {
        /**
         * @param byResolver resolver name to the domain sets its routers need (main domain first)
         * @param problems where an unknown resolver is reported
         */
        void demand(Map<String, Map<Set<String>, String>> byResolver, List<ConfigProblem> problems);
    }

    /**
     * @param entryPoints every entry point's name, in index order
     * @param defaultEntryPoints those that routers without {@code entryPoints} attach to
     * @param fixedRoutes routes the gateway itself puts on entry points (redirections), by entry point index
     * @param internalServices services the gateway provides itself ({@code demo@internal})
     * @param mapper the strict configuration mapper, for middleware options
     * @param server the Jetty server that middleware handlers belong to
     */
    public RuntimeBuilder(List<String> entryPoints, List<String> defaultEntryPoints,
            Map<Integer, List<Route>> fixedRoutes, ExtensionRegistry extensions,
            UpstreamClient upstream, Map<String, Handler> internalServices, ObjectMapper mapper, Server server) {
        this.entryPoints = List.copyOf(entryPoints);
        this.defaultEntryPoints = List.copyOf(defaultEntryPoints);
        this.fixedRoutes = Map.copyOf(fixedRoutes);
        this.extensions = extensions;
        this.rules = new RuleCompiler(extensions);
        this.upstream = upstream;
        this.internalServices = Map.copyOf(internalServices);
        this.mapper = mapper;
        this.server = server;
        this.entryPointTls = null;
        this.tls = null;
        this.demands = null;
    }

    /**
     * @param entryPointTls {@code entryPoints.<ep>.http.tls} per entry point index (null where absent): the TLS
     *        settings of the routers on that entry point that have none of their own
     * @param tls the certificates and TLS options
     * @param demands receives what routers with a {@code certResolver} need; null when no resolver is configured
     */
    public RuntimeBuilder(List<String> entryPoints, List<String> defaultEntryPoints,
            Map<Integer, List<Route>> fixedRoutes, ExtensionRegistry extensions,
            UpstreamClient upstream, Map<String, Handler> internalServices, ObjectMapper mapper, Server server,
            List<RouterTlsConfig> entryPointTls, TlsManager tls, CertificateDemands demands) {
        this.entryPoints = List.copyOf(entryPoints);
        this.defaultEntryPoints = List.copyOf(defaultEntryPoints);
        this.fixedRoutes = Map.copyOf(fixedRoutes);
        this.extensions = extensions;
        this.rules = new RuleCompiler(extensions);
        this.upstream = upstream;
        this.internalServices = Map.copyOf(internalServices);
        this.mapper = mapper;
        this.server = server;
        this.entryPointTls = new ArrayList<>(entryPointTls);
        this.tls = tls;
        this.demands = demands;
    }

    public GatewayRuntime build(BoundConfiguration configuration) {
        List<ConfigProblem> problems = new ArrayList<>(configuration.problems());
        Map<String, Handler> services = buildServices(configuration, problems);
        Map<String, PreparedMiddleware> middlewares = prepareMiddlewares(configuration, problems);

        List<List<Route>> routesByEntryPoint = new ArrayList<>();
        List<List<Route>> tlsRoutesByEntryPoint = new ArrayList<>();
        for (int i = 0; i < entryPoints.size(); i++) {
            routesByEntryPoint.add(new ArrayList<>(fixedRoutes.getOrDefault(i, List.of())));
            // An entry point's redirection takes every request on it, over TLS too.
            tlsRoutesByEntryPoint.add(new ArrayList<>(fixedRoutes.getOrDefault(i, List.of())));
        }
        List<LifeCycle> components = new ArrayList<>();
        Map<String, String> status = new TreeMap<>();
        TlsPlan tlsPlan = new TlsPlan(configuration.tls());

        new TreeMap<>(configuration.routers()).forEach((name, defined) -> {
            RouterProblems routerProblems = new RouterProblems("router " + name, defined.origin());
            List<LifeCycle> routerComponents = new ArrayList<>();
            Route route = buildRouter(name, defined, services, middlewares, routerProblems, routerComponents);
            List<Integer> indexes = entryPointIndexes(defined.value(), routerProblems);
            List<RouterTlsConfig> tlsByIndex = new ArrayList<>();
            for (int i : indexes) {
                RouterTlsConfig routerTls = effectiveTls(defined.value(), i);
                tlsByIndex.add(routerTls);
                if (routerTls != null && route != null) {
                    tlsPlan.check(routerTls, defined.provider(), routerProblems);
                }
            }
            if (route == null || routerProblems.any()) {
                problems.addAll(routerProblems.list);
                routerComponents.forEach(RuntimeBuilder::stopQuietly);
                status.put(name, "disabled");
                return;
            }
            components.addAll(routerComponents);
            for (int k = 0; k < indexes.size(); k++) {
                RouterTlsConfig routerTls = tlsByIndex.get(k);
                if (routerTls == null) {
                    routesByEntryPoint.get(indexes.get(k)).add(route);
                } else {
                    tlsRoutesByEntryPoint.get(indexes.get(k)).add(route);
                    tlsPlan.add(name, routerTls, defined.provider(), route.predicate().possibleHosts());
                }
            }
            status.put(name, "enabled");
        });

        RoutingTable[] tables = new RoutingTable[entryPoints.size()];
        RoutingTable[] tlsTables = new RoutingTable[entryPoints.size()];
        for (int i = 0; i < tables.length; i++) {
            tables[i] = new RoutingTable(routesByEntryPoint.get(i));
            tlsTables[i] = new RoutingTable(tlsRoutesByEntryPoint.get(i));
        }
        TlsRuntime tlsRuntime = null;
        problems.addAll(tlsPlan.notes);
        if (tls != null) {
            tlsRuntime = tls.build(new TlsManager.Input(configuration.tls().certificates(), configuration.tls().options(),
                    configuration.tls().defaultCertificate(), tlsPlan.optionsByHost(problems)), problems);
            if (demands != null) {
                demands.demand(tlsPlan.byResolver, problems);
            } else {
                tlsPlan.byResolver.forEach((resolver, domains) -> problems.add(new ConfigProblem("router "
                        + domains.values().iterator().next(), null, "certificate resolver '" + resolver
                        + "' is not configured (certificatesResolvers in the static configuration); the router is "
                        + "served with the default certificate")));
            }
        }
        return new GatewayRuntime(tables, tlsTables, tlsRuntime, components, problems, status);
    }

    /** The router's own {@code tls}, else its entry point's {@code http.tls}, else null (plain HTTP). */
    private RouterTlsConfig effectiveTls(RouterConfig router, int entryPointIndex) {
        if (router.tls() != null) {
            return router.tls();
        }
        return entryPointTls == null || entryPointIndex >= entryPointTls.size() ? null : entryPointTls.get(entryPointIndex);
    }

    /**
     * Collects what TLS routers need: options per host (from their domains, else their Host rules) and the
     * domains each certificate resolver must obtain.
     */
    private static final class TlsPlan {
        private final TlsDefinitions definitions;
        private final Map<String, Set<String>> optionsByHost = new TreeMap<>();
        private final Map<String, List<String>> routersByHost = new HashMap<>();
        final Map<String, Map<Set<String>, String>> byResolver = new TreeMap<>();
        final List<ConfigProblem> notes = new ArrayList<>();

        TlsPlan(TlsDefinitions definitions) {
            this.definitions = definitions;
        }

        static String optionsName(RouterTlsConfig tls, String provider) {
            String name = tls.options() == null || tls.options().isBlank() ? TlsManager.DEFAULT_OPTIONS : tls.options().strip();
            return name.equals(TlsManager.DEFAULT_OPTIONS) || name.contains("@") ? name : name + "@" + provider;
        }

        void check(RouterTlsConfig tls, String provider, RouterProblems problems) {
            String options = optionsName(tls, provider);
            if (!options.equals(TlsManager.DEFAULT_OPTIONS) && !definitions.options().containsKey(options)) {
                problems.add("TLS options '" + options + "' do not exist (known: "
                        + (definitions.options().isEmpty() ? "none" : String.join(", ", new TreeSet<>(definitions.options().keySet())))
                        + ")");
            }
            for (DomainConfig domain : tls.domains()) {
                if (domain.main() == null || domain.main().isBlank()) {
                    problems.add("tls.domains: every entry needs 'main'");
                }
            }
        }

        void add(String router, RouterTlsConfig tls, String provider, Set<String> hosts) {
            String options = optionsName(tls, provider);
            List<Set<String>> certificateDomains = new ArrayList<>();
            if (!tls.domains().isEmpty()) {
                for (DomainConfig domain : tls.domains()) {
                    Set<String> names = new LinkedHashSet<>();
                    names.add(domain.main().strip().toLowerCase(Locale.ROOT));
                    domain.sans().forEach(san -> names.add(san.strip().toLowerCase(Locale.ROOT)));
                    certificateDomains.add(names);
                }
            } else if (hosts != null) {
                for (String host : new TreeSet<>(hosts)) {
                    certificateDomains.add(new LinkedHashSet<>(List.of(host)));
                }
            }
            for (Set<String> names : certificateDomains) {
                for (String host : names) {
                    optionsByHost.computeIfAbsent(host, h -> new TreeSet<>()).add(options);
                    routersByHost.computeIfAbsent(host, h -> new ArrayList<>()).add(router);
                }
                if (tls.certResolver() != null && !tls.certResolver().isBlank()) {
                    byResolver.computeIfAbsent(tls.certResolver().strip(), r -> new LinkedHashMap<>())
                            .putIfAbsent(java.util.Collections.unmodifiableSet(names), router);
                }
            }
            if (tls.certResolver() != null && !tls.certResolver().isBlank() && certificateDomains.isEmpty()) {
                notes.add(new ConfigProblem("router " + router, null, "certResolver '" + tls.certResolver()
                        + "' has no domain to obtain a certificate for: give tls.domains or a Host rule"));
            }
        }

        /** A host claimed by routers with different options gets the default ones, as in Traefik. */
        Map<String, String> optionsByHost(List<ConfigProblem> problems) {
            Map<String, String> chosen = new HashMap<>();
            optionsByHost.forEach((host, names) -> {
                if (names.size() == 1) {
                    chosen.put(host, names.iterator().next());
                } else {
                    problems.add(new ConfigProblem("host " + host, null, "routers " + routersByHost.get(host)
                            + " ask for different TLS options " + names + "; the default options are used for it"));
                    chosen.put(host, TlsManager.DEFAULT_OPTIONS);
                }
            });
            return chosen;
        }
    }

    private Map<String, Handler> buildServices(BoundConfiguration configuration, List<ConfigProblem> problems) {
        Map<String, Handler> services = new HashMap<>(internalServices);
        configuration.services().forEach((name, defined) -> {
            try {
                services.put(name, buildService(name, defined.value()));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem("service " + name, defined.origin(), e.getMessage()));
            }
        });
        return services;
    }

    private Handler buildService(String name, ServiceConfig service) {
        LoadBalancerConfig loadBalancer = service.loadBalancer();
        if (loadBalancer == null) {
            throw new IllegalArgumentException("a service needs 'loadBalancer' (weighted, mirroring and failover "
                    + "services are not supported yet)");
        }
        List<UpstreamServer> servers = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (int i = 0; i < loadBalancer.servers().size(); i++) {
            ServerConfig server = loadBalancer.servers().get(i);
            try {
                servers.add(UpstreamServer.parse(server.url()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("loadBalancer.servers[" + i + "]: " + e.getMessage());
            }
            if (server.weightOrDefault() < 0) {
                throw new IllegalArgumentException("loadBalancer.servers[" + i + "].weight must not be negative");
            }
            weights.add(server.weightOrDefault());
        }
        return new LoadBalancedService(name, servers, weights, loadBalancer.passHostHeaderOrDefault(), upstream);
    }

    private record PreparedMiddleware(Middleware<Object> type, Object options) {
    }

    @SuppressWarnings("unchecked")
    private Map<String, PreparedMiddleware> prepareMiddlewares(BoundConfiguration configuration,
            List<ConfigProblem> problems) {
        Map<String, PreparedMiddleware> prepared = new HashMap<>();
        configuration.middlewares().forEach((name, defined) -> {
            MiddlewareConfig declaration = defined.value();
            Middleware<Object> type = (Middleware<Object>) extensions.middleware(declaration.type());
            if (type == null) {
                problems.add(new ConfigProblem("middleware " + name, defined.origin(), "unknown middleware type '"
                        + declaration.type() + "' (known: " + known(ExtensionKind.MIDDLEWARE)
                        + "; is the plugin that provides it in the plugins folder?)"));
                return;
            }
            List<String> bindingProblems = new ArrayList<>();
            Object options = ConfigBinder.bindTree(mapper, declaration.options(), type.configType(), declaration.type(),
                    bindingProblems);
            if (bindingProblems.isEmpty()) {
                prepared.put(name, new PreparedMiddleware(type, options));
            } else {
                bindingProblems.forEach(problem -> problems.add(new ConfigProblem("middleware " + name, defined.origin(), problem)));
            }
        });
        return prepared;
    }

    private Route buildRouter(String name, Defined<RouterConfig> defined, Map<String, Handler> services,
            Map<String, PreparedMiddleware> middlewares, RouterProblems problems, List<LifeCycle> components) {
        RouterConfig router = defined.value();
        RequestPredicate predicate = null;
        if (router.rule() == null || router.rule().isBlank()) {
            problems.add("has no rule");
        } else {
            try {
                predicate = rules.compile(router.rule());
            } catch (RuleSyntaxException e) {
                problems.add("rule " + router.rule() + " is invalid " + e.getMessage());
            }
        }
        Handler service = null;
        if (router.service() == null || router.service().isBlank()) {
            problems.add("has no service");
        } else {
            String serviceName = qualify(router.service(), defined.provider());
            service = services.get(serviceName);
            if (service == null) {
                problems.add("service '" + serviceName + "' does not exist or is disabled (see its own error)");
            }
        }
        List<Handler.Wrapper> chain = new ArrayList<>();
        for (String reference : router.middlewares()) {
            String middlewareName = qualify(reference, defined.provider());
            PreparedMiddleware middleware = middlewares.get(middlewareName);
            if (middleware == null) {
                problems.add("middleware '" + middlewareName + "' does not exist or is disabled (see its own error)");
                continue;
            }
            try {
                Handler.Wrapper wrapper = middleware.type().create(middleware.options());
                if (wrapper == null) {
                    problems.add("middleware '" + middlewareName + "' produced no handler");
                } else {
                    chain.add(wrapper);
                }
            } catch (Exception e) {
                problems.add("middleware '" + middlewareName + "' cannot be created: " + e.getMessage());
            }
        }
        if (problems.any()) {
            return null;
        }
        Handler handler = service;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Handler.Wrapper wrapper = chain.get(i);
            wrapper.setServer(server);
            wrapper.setHandler(handler);
            handler = wrapper;
        }
        for (Handler.Wrapper wrapper : chain) {
            try {
                // Start only the wrapper itself: the service at the end of the chain is shared.
                if (wrapper.isStopped()) {
                    wrapper.start();
                }
                components.add(wrapper);
            } catch (Exception e) {
                problems.add("a middleware handler failed to start: " + e);
                return null;
            }
        }
        return new Route(name, router.effectivePriority(), predicate, handler);
    }

    private List<Integer> entryPointIndexes(RouterConfig router, RouterProblems problems) {
        List<String> names = router.entryPoints().isEmpty() ? defaultEntryPoints : router.entryPoints();
        List<Integer> indexes = new ArrayList<>();
        for (String name : names) {
            int index = entryPoints.indexOf(name);
            if (index < 0) {
                problems.add("entry point '" + name + "' does not exist (known: " + String.join(", ", entryPoints) + ")");
            } else if (!indexes.contains(index)) {
                indexes.add(index);
            }
        }
        return indexes;
    }

    /** {@code name} refers to the router's own provider; {@code name@other} to another. */
    static String qualify(String reference, String provider) {
        String trimmed = reference.strip();
        return trimmed.contains("@") ? trimmed : trimmed + "@" + provider;
    }

    private String known(ExtensionKind kind) {
        return extensions.names(kind).isEmpty() ? "none" : String.join(", ", extensions.names(kind));
    }

    private static void stopQuietly(LifeCycle component) {
        try {
            component.stop();
        } catch (Exception ignored) {
            // it never served a request
        }
    }

    private static final class RouterProblems {
        final String element;
        final String origin;
        final List<ConfigProblem> list = new ArrayList<>();

        RouterProblems(String element, String origin) {
            this.element = element;
            this.origin = origin;
        }

        void add(String message) {
            list.add(new ConfigProblem(element, origin, message));
        }

        boolean any() {
            return !list.isEmpty();
        }
    }
}
