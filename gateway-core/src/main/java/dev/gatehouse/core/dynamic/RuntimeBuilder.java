package dev.gatehouse.core.dynamic;

import static dev.gatehouse.core.dynamic.ElementNames.qualify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.config.ConfigBinder;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.api.config.LoadBalancerConfig;
import dev.gatehouse.api.config.MiddlewareConfig;
import dev.gatehouse.api.config.ObservabilityConfig;
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
import dev.gatehouse.api.config.FailoverConfig;
import dev.gatehouse.api.http.StatusRanges;
import dev.gatehouse.api.config.MirroringConfig;
import dev.gatehouse.api.config.StickyConfig;
import dev.gatehouse.api.config.WeightedConfig;
import dev.gatehouse.core.service.FailoverService;
import dev.gatehouse.core.service.HighestRandomWeightService;
import dev.gatehouse.core.service.HealthChecker;
import dev.gatehouse.core.service.LoadBalancedService;
import dev.gatehouse.core.service.MiddlewareFrontedService;
import dev.gatehouse.api.config.DomainConfig;
import dev.gatehouse.api.config.GeneratedCertConfig;
import dev.gatehouse.api.config.RouterTlsConfig;
import dev.gatehouse.core.tls.TlsManager;
import dev.gatehouse.core.tls.TlsRuntime;
import dev.gatehouse.core.service.MirroringService;
import dev.gatehouse.core.service.ServiceHandler;
import dev.gatehouse.core.service.StickyCookie;
import dev.gatehouse.core.service.WeightedService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.tracing.Tracing;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link GatewayRuntime} from a bound configuration: compiles every rule, binds every
 * middleware's options to its type, composes each router's chain once, and sorts each entry point's
 * routers. A problem disables the element it is in and every router that depends on that element, and
 * nothing else.
 */
public final class RuntimeBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeBuilder.class);

    private final List<String> entryPoints;
    private final List<String> defaultEntryPoints;
    private final Map<Integer, List<Route>> fixedRoutes;
    private final ExtensionRegistry extensions;
    private final RuleCompiler rules;
    private final RuleCompiler rulesV2;
    private final UpstreamClient upstream;
    private final Map<String, Handler> internalServices;
    private final ObjectMapper mapper;
    private final Server server;
    private final List<RouterTlsConfig> entryPointTls;
    private final TlsManager tls;
    private final CertificateDemands demands;
    /** The clients of the {@code http.serversTransports}, kept from one runtime to the next while unchanged. */
    private final SharedTransports sharedTransports = new SharedTransports(Transports::start);

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

        /**
         * The element a problem with a resolver's demands is reported on: {@code routers [a@file, b@file]}, and
         * {@code tls.stores.default.defaultGeneratedCert} for the default certificate.
         */
        static String element(java.util.Collection<String> needers) {
            List<String> routers = new ArrayList<>(new TreeSet<>(needers));
            boolean defaultCertificate = routers.remove(TlsPlan.GENERATED_DEFAULT);
            String defaultKey = "tls.stores.default.defaultGeneratedCert";
            return routers.isEmpty() ? defaultKey
                    : "routers " + routers + (defaultCertificate ? " and " + defaultKey : "");
        }
    }
    private final ScheduledExecutorService scheduler;
    private Map<Integer, List<String>> entryPointMiddlewares = Map.of();
    private Comparator<Route> routeOrder = RoutingTable.ORDER;
    /** Spans for routers, middlewares and services when {@code tracing} is configured; null otherwise. */
    private Tracing tracing;
    /** The compiler of rules whose router sets no {@code ruleSyntax}. */
    private RuleCompiler defaultRules;

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
        this(entryPoints, defaultEntryPoints, fixedRoutes, extensions, upstream, internalServices, mapper, server, null);
    }

    /**
     * @param scheduler where health checks and passive health recoveries run (never request threads); null
     *     disables them (tests)
     */
    public RuntimeBuilder(List<String> entryPoints, List<String> defaultEntryPoints,
            Map<Integer, List<Route>> fixedRoutes, ExtensionRegistry extensions,
            UpstreamClient upstream, Map<String, Handler> internalServices, ObjectMapper mapper, Server server,
            ScheduledExecutorService scheduler) {
        this(entryPoints, defaultEntryPoints, fixedRoutes, extensions, upstream, internalServices, mapper, server,
                scheduler, null, null, null);
    }

    /**
     * Without health checks (tests).
     *
     * @param entryPointTls {@code entryPoints.<ep>.http.tls} per entry point index (null where absent)
     * @param tls the certificates and TLS options
     * @param demands receives what routers with a {@code certResolver} need; null when no resolver is configured
     */
    public RuntimeBuilder(List<String> entryPoints, List<String> defaultEntryPoints,
            Map<Integer, List<Route>> fixedRoutes, ExtensionRegistry extensions,
            UpstreamClient upstream, Map<String, Handler> internalServices, ObjectMapper mapper, Server server,
            List<RouterTlsConfig> entryPointTls, TlsManager tls, CertificateDemands demands) {
        this(entryPoints, defaultEntryPoints, fixedRoutes, extensions, upstream, internalServices, mapper, server,
                null, entryPointTls, tls, demands);
    }

    /**
     * @param scheduler where health checks and passive health recoveries run (never request threads); null
     *     disables them (tests)
     * @param entryPointTls {@code entryPoints.<ep>.http.tls} per entry point index (null where absent): the TLS
     *        settings of the routers on that entry point that have none of their own; null for none at all
     * @param tls the certificates and TLS options; null when the gateway serves no TLS
     * @param demands receives what routers with a {@code certResolver} need; null when no resolver is configured
     */
    public RuntimeBuilder(List<String> entryPoints, List<String> defaultEntryPoints,
            Map<Integer, List<Route>> fixedRoutes, ExtensionRegistry extensions,
            UpstreamClient upstream, Map<String, Handler> internalServices, ObjectMapper mapper, Server server,
            ScheduledExecutorService scheduler,
            List<RouterTlsConfig> entryPointTls, TlsManager tls, CertificateDemands demands) {
        this.scheduler = scheduler;
        this.entryPoints = List.copyOf(entryPoints);
        this.defaultEntryPoints = List.copyOf(defaultEntryPoints);
        this.fixedRoutes = Map.copyOf(fixedRoutes);
        this.extensions = extensions;
        this.rules = new RuleCompiler(extensions);
        this.rulesV2 = rules.v2();
        this.defaultRules = rules;
        this.upstream = upstream;
        this.internalServices = Map.copyOf(internalServices);
        this.mapper = mapper;
        this.server = server;
        this.entryPointTls = entryPointTls == null ? null : new ArrayList<>(entryPointTls);
        this.tls = tls;
        this.demands = demands;
    }

    /**
     * Sets the middlewares of entry points ({@code entryPoints.<name>.http.middlewares}), put in front of the
     * middlewares of every router on that entry point. Names without {@code @provider} are qualified with the
     * provider of each router, as Traefik does.
     *
     * @param byName the middleware references by entry point name; entry points not listed have none
     * @return this builder
     */
    /**
     * {@code providers.precedence}: among routers of equal priority, those of the provider listed first are tried
     * first (lower case provider names). Without it, equal priorities are ordered by name.
     */
    public RuntimeBuilder providersPrecedence(List<String> providers) {
        this.routeOrder = RoutingTable.order(providers);
        return this;
    }

    /** {@code tracing}: routers, their middlewares and services get spans; null for none (the default). */
    public RuntimeBuilder tracing(Tracing tracing) {
        this.tracing = tracing;
        return this;
    }

    /**
     * {@code core.defaultRuleSyntax}: the syntax of the rules of routers that set no {@code ruleSyntax} ({@code v3}
     * unless told {@code v2}).
     */
    public RuntimeBuilder defaultRuleSyntax(String syntax) {
        this.defaultRules = "v2".equals(syntax) ? rulesV2 : rules;
        return this;
    }

    public RuntimeBuilder entryPointMiddlewares(Map<String, List<String>> byName) {
        Map<Integer, List<String>> byIndex = new HashMap<>();
        byName.forEach((name, references) -> {
            int index = entryPoints.indexOf(name);
            if (index >= 0 && references != null && !references.isEmpty()) {
                byIndex.put(index, List.copyOf(references));
            }
        });
        this.entryPointMiddlewares = Map.copyOf(byIndex);
        return this;
    }

    public GatewayRuntime build(BoundConfiguration configuration) {
        List<ConfigProblem> problems = new ArrayList<>(configuration.problems());
        Transports transports = new Transports(upstream, sharedTransports, configuration.serversTransports(),
                problems);
        try {
            return build(configuration, problems, transports);
        } catch (RuntimeException | Error e) {
            // No runtime will give the transports back: do it now, so that a client no runtime uses is closed.
            transports.leases().forEach(RuntimeBuilder::stopQuietly);
            throw e;
        }
    }

    private GatewayRuntime build(BoundConfiguration configuration, List<ConfigProblem> problems, Transports transports) {
        List<LifeCycle> healthChecks = new ArrayList<>();
        // Before the services: a service's own middlewares (http.services.<name>.middlewares) wrap it as it is built.
        Map<String, PreparedMiddleware> middlewares = prepareMiddlewares(configuration, problems);
        List<LifeCycle> components = new ArrayList<>();
        ServiceBuild serviceBuild = buildServices(configuration, problems, healthChecks, transports, middlewares,
                components);
        transports.checkUnused();
        Map<String, Handler> services = new HashMap<>(internalServices);
        services.putAll(serviceBuild.built);

        List<List<Route>> routesByEntryPoint = new ArrayList<>();
        List<List<Route>> tlsRoutesByEntryPoint = new ArrayList<>();
        for (int i = 0; i < entryPoints.size(); i++) {
            routesByEntryPoint.add(new ArrayList<>(fixedRoutes.getOrDefault(i, List.of())));
            // An entry point's redirection takes every request on it, over TLS too.
            tlsRoutesByEntryPoint.add(new ArrayList<>(fixedRoutes.getOrDefault(i, List.of())));
        }
        Map<String, String> status = new TreeMap<>();
        TlsPlan tlsPlan = new TlsPlan(configuration.tls());

        new TreeMap<>(configuration.routers()).forEach((name, defined) -> {
            RouterProblems routerProblems = new RouterProblems("router " + name, defined.origin());
            List<LifeCycle> routerComponents = new ArrayList<>();
            List<Integer> indexes = entryPointIndexes(defined.value(), routerProblems);
            // One chain per distinct list of entry point middlewares (most often a single one for all).
            Map<List<String>, Route> routes = new java.util.LinkedHashMap<>();
            for (int index : indexes) {
                List<String> prefix = entryPointMiddlewares.getOrDefault(index, List.of());
                if (!routes.containsKey(prefix)) {
                    Route route = null;
                    try {
                        route = buildRouter(name, defined, prefix, services, configuration.services().keySet(),
                                middlewares, routerProblems, routerComponents);
                    } catch (Throwable failure) {
                        routerProblems.add(unexpectedFailure("router " + name, failure));
                    }
                    routes.put(prefix, route);
                }
            }
            boolean built = !routes.containsValue(null);
            List<RouterTlsConfig> tlsByIndex = new ArrayList<>();
            for (int i : indexes) {
                RouterTlsConfig routerTls = effectiveTls(defined.value(), i);
                tlsByIndex.add(routerTls);
                if (routerTls != null && built) {
                    tlsPlan.check(routerTls, defined.provider(), routerProblems);
                }
            }
            problems.addAll(routerProblems.warnings);
            if (routerProblems.any() || !built) {
                problems.addAll(routerProblems.list);
                routerComponents.forEach(RuntimeBuilder::stopQuietly);
                status.put(name, "disabled");
                return;
            }
            components.addAll(routerComponents);
            for (int k = 0; k < indexes.size(); k++) {
                Route route = routes.get(entryPointMiddlewares.getOrDefault(indexes.get(k), List.of()));
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

        // As Traefik, a request that no router matches is traced on its entry point (its 404).
        Handler notFound = tracing == null ? null : tracing.notFound();
        RoutingTable[] tables = new RoutingTable[entryPoints.size()];
        RoutingTable[] tlsTables = new RoutingTable[entryPoints.size()];
        for (int i = 0; i < tables.length; i++) {
            tables[i] = new RoutingTable(routesByEntryPoint.get(i), routeOrder, notFound);
            tlsTables[i] = new RoutingTable(tlsRoutesByEntryPoint.get(i), routeOrder, notFound);
        }
        TlsRuntime tlsRuntime = null;
        problems.addAll(tlsPlan.notes);
        Set<String> generatedDefaultDomains = tlsPlan.addGeneratedDefault(problems);
        if (tls != null) {
            tlsRuntime = tls.build(new TlsManager.Input(configuration.tls().certificates(), configuration.tls().options(),
                    configuration.tls().defaultCertificate(), tlsPlan.optionsByHost(problems), generatedDefaultDomains),
                    problems);
            if (demands != null) {
                demands.demand(tlsPlan.byResolver, problems);
            } else {
                tlsPlan.byResolver.forEach((resolver, domains) -> {
                    String router = domains.values().stream().filter(n -> !n.equals(TlsPlan.GENERATED_DEFAULT))
                            .findFirst().orElse(null);
                    problems.add(router == null
                            ? new ConfigProblem("tls.stores.default.defaultGeneratedCert", null, "certificate resolver '"
                                    + resolver + "' is not configured (certificatesResolvers in the static "
                                    + "configuration); the generated default certificate is served")
                            : new ConfigProblem("router " + router, null, "certificate resolver '" + resolver
                                    + "' is not configured (certificatesResolvers in the static configuration); the "
                                    + "router is served with the default certificate"));
                });
            }
        }
        for (LifeCycle check : healthChecks) {
            try {
                check.start();
            } catch (Exception e) {
                problems.add(new ConfigProblem(check.toString(), "", "could not start: " + e));
            }
        }
        // As Traefik: a router that serves but has a problem (an entry point that does not exist among others, a
        // certificate resolver that is not configured) is in "warning".
        for (ConfigProblem problem : problems) {
            if (problem.element().startsWith("router ")) {
                status.replace(problem.element().substring("router ".length()), "enabled", "warning");
            }
        }
        return new GatewayRuntime(tables, tlsTables, tlsRuntime, components, healthChecks, transports.leases(),
                problems, status, serviceBuild.built, middlewareUsers(configuration, middlewares));
    }

    /**
     * By middleware, the routers that use it: named in the router, reached through a chain, or put in front by
     * the router's entry points ({@code entryPoints.<name>.http.middlewares}). Middlewares of a broken chain
     * beyond the chain itself are not followed.
     */
    private Map<String, List<String>> middlewareUsers(BoundConfiguration configuration,
            Map<String, PreparedMiddleware> prepared) {
        Map<String, java.util.SortedSet<String>> users = new HashMap<>();
        configuration.routers().forEach((router, defined) -> {
            List<String> references = new ArrayList<>();
            List<String> names = defined.value().entryPoints().isEmpty() ? defaultEntryPoints : defined.value().entryPoints();
            for (String entryPoint : names) {
                references.addAll(entryPointMiddlewares.getOrDefault(entryPoints.indexOf(entryPoint), List.of()));
            }
            references.addAll(defined.value().middlewares());
            java.util.Deque<String> pending = new java.util.ArrayDeque<>();
            references.forEach(reference -> pending.add(qualify(reference, defined.provider())));
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (!pending.isEmpty()) {
                String name = pending.poll();
                if (!seen.add(name)) {
                    continue;
                }
                users.computeIfAbsent(name, n -> new java.util.TreeSet<>()).add(router);
                PreparedMiddleware middleware = prepared.get(name);
                if (middleware != null && middleware.chain() != null) {
                    pending.addAll(middleware.chain());
                }
            }
        });
        Map<String, List<String>> out = new HashMap<>();
        users.forEach((name, routers) -> out.put(name, List.copyOf(routers)));
        return out;
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

        /** Who needs the certificate of {@code tls.stores.default.defaultGeneratedCert}, as problems name it. */
        static final String GENERATED_DEFAULT = "\u0000defaultGeneratedCert";

        /**
         * Asks the resolver of {@code tls.stores.default.defaultGeneratedCert} for its domains, as Traefik's ACME
         * provider does; the domains (main first, lower case, without a trailing dot), or null when there is none.
         */
        Set<String> addGeneratedDefault(List<ConfigProblem> problems) {
            Defined<GeneratedCertConfig> defined = definitions.defaultGeneratedCert();
            if (defined == null) {
                return null;
            }
            GeneratedCertConfig generated = defined.value();
            DomainConfig domain = generated.domain();
            if (generated.resolver() == null || generated.resolver().isBlank() || domain == null
                    || domain.main() == null || domain.main().isBlank()) {
                problems.add(new ConfigProblem("tls.stores.default.defaultGeneratedCert", defined.origin(),
                        "needs resolver and domain.main; the generated default certificate is served"));
                return null;
            }
            Set<String> names = new LinkedHashSet<>();
            names.add(canonicalDomain(domain.main()));
            domain.sans().forEach(san -> names.add(canonicalDomain(san)));
            Set<String> domains = java.util.Collections.unmodifiableSet(names);
            byResolver.computeIfAbsent(generated.resolver().strip(), r -> new LinkedHashMap<>())
                    .putIfAbsent(domains, GENERATED_DEFAULT);
            return domains;
        }

        private static String canonicalDomain(String domain) {
            String name = domain.strip().toLowerCase(Locale.ROOT);
            return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
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

    private ServiceBuild buildServices(BoundConfiguration configuration, List<ConfigProblem> problems,
            List<LifeCycle> healthChecks, Transports transports, Map<String, PreparedMiddleware> middlewares,
            List<LifeCycle> components) {
        ServiceBuild build = new ServiceBuild(configuration, problems, healthChecks, transports, middlewares,
                components);
        for (String name : new TreeMap<>(configuration.services()).keySet()) {
            build.service(name);
        }
        return build;
    }

    /**
     * Builds services on demand, children first, so that weighted, mirroring and failover services find the
     * services they refer to; a reference back to a service being built is a cycle, an error of that service.
     */
    private final class ServiceBuild {
        final BoundConfiguration configuration;
        final List<ConfigProblem> problems;
        final List<LifeCycle> healthChecks;
        final Transports transports;
        final Map<String, PreparedMiddleware> middlewares;
        /** The started handlers of services' own middlewares, stopped with the runtime. */
        final List<LifeCycle> components;
        final Map<String, ServiceHandler> built = new HashMap<>();
        final Map<String, String> failed = new HashMap<>();
        final java.util.LinkedHashSet<String> building = new java.util.LinkedHashSet<>();

        ServiceBuild(BoundConfiguration configuration, List<ConfigProblem> problems, List<LifeCycle> healthChecks,
                Transports transports, Map<String, PreparedMiddleware> middlewares, List<LifeCycle> components) {
            this.configuration = configuration;
            this.problems = problems;
            this.healthChecks = healthChecks;
            this.transports = transports;
            this.middlewares = middlewares;
            this.components = components;
        }

        /** The built service, or null when it failed (its problem recorded once). */
        ServiceHandler service(String name) {
            ServiceHandler done = built.get(name);
            if (done != null || failed.containsKey(name)) {
                return done;
            }
            Defined<ServiceConfig> defined = configuration.services().get(name);
            if (defined == null) {
                return null;
            }
            building.add(name);
            try {
                ServiceHandler service = withOwnMiddlewares(name, defined, buildService(name, defined, this), this);
                built.put(name, service);
                return service;
            } catch (IllegalArgumentException e) {
                failed.put(name, e.getMessage());
                problems.add(new ConfigProblem("service " + name, defined.origin(), e.getMessage()));
                return null;
            } catch (Throwable failure) {
                String problem = unexpectedFailure("service " + name, failure);
                failed.put(name, problem);
                problems.add(new ConfigProblem("service " + name, defined.origin(), problem));
                return null;
            } finally {
                building.remove(name);
            }
        }

        /** A service that {@code from} refers to by {@code reference} ({@code name} or {@code name@provider}). */
        ServiceHandler reference(String from, String provider, String key, String reference) {
            if (reference == null || reference.isBlank()) {
                throw new IllegalArgumentException(key + " is required");
            }
            String target = qualify(reference, provider);
            if (building.contains(target)) {
                List<String> cycle = new ArrayList<>(building);
                cycle = cycle.subList(cycle.indexOf(target), cycle.size());
                throw new IllegalArgumentException(key + ": services refer to each other in a cycle: "
                        + String.join(" -> ", cycle) + " -> " + target);
            }
            if (!configuration.services().containsKey(target)) {
                throw new IllegalArgumentException(key + ": service '" + target + "' does not exist");
            }
            ServiceHandler service = service(target);
            if (service == null) {
                throw new IllegalArgumentException(key + ": service '" + target + "' is disabled (see its own error)");
            }
            return service;
        }
    }

    private ServiceHandler buildService(String name, Defined<ServiceConfig> defined, ServiceBuild build) {
        ServiceConfig service = defined.value();
        int kinds = (service.loadBalancer() != null ? 1 : 0) + (service.weighted() != null ? 1 : 0)
                + (service.mirroring() != null ? 1 : 0) + (service.failover() != null ? 1 : 0)
                + (service.highestRandomWeight() != null ? 1 : 0);
        if (kinds != 1) {
            throw new IllegalArgumentException("a service is exactly one of loadBalancer, weighted, highestRandomWeight,"
                    + " mirroring, failover" + (kinds == 0 ? "; none is set" : "; several are set"));
        }
        String provider = defined.provider();
        if (service.highestRandomWeight() != null) {
            List<WeightedConfig.WeightedService> declared = service.highestRandomWeight().services();
            if (declared.isEmpty()) {
                throw new IllegalArgumentException("highestRandomWeight.services is empty");
            }
            List<ServiceHandler> children = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<Integer> weights = new ArrayList<>();
            for (int i = 0; i < declared.size(); i++) {
                WeightedConfig.WeightedService child = declared.get(i);
                children.add(build.reference(name, provider, "highestRandomWeight.services[" + i + "].name", child.name()));
                if (child.weightOrDefault() < 0) {
                    throw new IllegalArgumentException("highestRandomWeight.services[" + i + "].weight must not be negative");
                }
                names.add(child.name());
                weights.add(child.weightOrDefault());
            }
            return new HighestRandomWeightService(name, children, names, weights);
        }
        if (service.weighted() != null) {
            WeightedConfig weighted = service.weighted();
            if (weighted.services().isEmpty()) {
                throw new IllegalArgumentException("weighted.services is empty");
            }
            List<ServiceHandler> children = new ArrayList<>();
            List<Integer> weights = new ArrayList<>();
            for (int i = 0; i < weighted.services().size(); i++) {
                WeightedConfig.WeightedService child = weighted.services().get(i);
                children.add(build.reference(name, provider, "weighted.services[" + i + "].name", child.name()));
                if (child.weightOrDefault() < 0) {
                    throw new IllegalArgumentException("weighted.services[" + i + "].weight must not be negative");
                }
                weights.add(child.weightOrDefault());
            }
            return new WeightedService(name, children, weights, stickyCookie(weighted.sticky(), name));
        }
        if (service.mirroring() != null) {
            MirroringConfig mirroring = service.mirroring();
            ServiceHandler main = build.reference(name, provider, "mirroring.service", mirroring.service());
            List<ServiceHandler> mirrors = new ArrayList<>();
            List<Integer> percents = new ArrayList<>();
            for (int i = 0; i < mirroring.mirrors().size(); i++) {
                MirroringConfig.Mirror mirror = mirroring.mirrors().get(i);
                mirrors.add(build.reference(name, provider, "mirroring.mirrors[" + i + "].name", mirror.name()));
                percents.add(mirror.percentOrDefault());
            }
            return new MirroringService(name, main, mirrors, percents, mirroring.maxBodySizeOrDefault(),
                    mirroring.mirrorBodyOrDefault(), upstream);
        }
        if (service.failover() != null) {
            FailoverConfig failover = service.failover();
            ServiceHandler main = build.reference(name, provider, "failover.service", failover.service());
            ServiceHandler fallback = build.reference(name, provider, "failover.fallback", failover.fallback());
            if (failover.errors() == null) {
                return new FailoverService(name, main, fallback);
            }
            return new FailoverService(name, main, fallback,
                    StatusRanges.parse("failover.errors.status", failover.errors().status()),
                    failover.errors().maxRequestBodyBytesOrDefault());
        }
        LoadBalancerConfig loadBalancer = service.loadBalancer();
        List<UpstreamServer> servers = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (int i = 0; i < loadBalancer.servers().size(); i++) {
            ServerConfig server = loadBalancer.servers().get(i);
            try {
                servers.add(UpstreamServer.parse(server.url(), server.preservePathOrDefault()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("loadBalancer.servers[" + i + "]: " + e.getMessage());
            }
            if (server.weightOrDefault() < 0) {
                throw new IllegalArgumentException("loadBalancer.servers[" + i + "].weight must not be negative");
            }
            weights.add(server.weightOrDefault());
        }
        UpstreamClient client = build.transports.client(loadBalancer.serversTransport(), provider);
        LoadBalancedService balancer = new LoadBalancedService(name, servers, weights,
                loadBalancer.passHostHeaderOrDefault(), loadBalancer.strategyOrDefault(),
                loadBalancer.passiveHealthCheckOrDefault(), stickyCookie(loadBalancer.sticky(), name), client, scheduler);
        if (loadBalancer.healthCheck() != null) {
            // Built (and so validated) either way; without a scheduler (gatehouse check, tests) it never probes.
            HealthChecker checker = new HealthChecker(balancer, loadBalancer.healthCheck(), client, scheduler);
            if (scheduler != null) {
                build.healthChecks.add(checker);
            }
        }
        return balancer;
    }

    private static StickyCookie stickyCookie(StickyConfig sticky, String serviceName) {
        if (sticky == null) {
            return null;
        }
        return StickyCookie.of(sticky.cookie() == null
                ? new StickyConfig.CookieConfig(null, null, null, null, null, null, null) : sticky.cookie(), serviceName);
    }

    /**
     * A middleware whose options are bound: an extension's, or a {@code chain} (resolved here, since it names
     * other middlewares), whose references are qualified with the chain's provider.
     */
    private record PreparedMiddleware(Middleware<Object> type, Object options, String provider, List<String> chain) {
    }

    /** {@code http.middlewares.<name>.chain}: the middlewares to apply, in order. */
    public record ChainConfig(List<String> middlewares) {
    }

    static final String CHAIN = "chain";
    /** Traefik's middleware type for its own (Yaegi/WASM) plugins, named so that its error can say what to do. */
    static final String TRAEFIK_PLUGIN_MIDDLEWARE = "plugin";

    private Map<String, PreparedMiddleware> prepareMiddlewares(BoundConfiguration configuration,
            List<ConfigProblem> problems) {
        Map<String, PreparedMiddleware> prepared = new HashMap<>();
        configuration.middlewares().forEach((name, defined) -> {
            try {
                prepareMiddleware(name, defined, prepared, problems);
            } catch (Throwable failure) {
                problems.add(new ConfigProblem("middleware " + name, defined.origin(),
                        unexpectedFailure("middleware " + name, failure)));
            }
        });
        return withoutBrokenChains(configuration, prepared, problems);
    }

    /** Binds one middleware's options (or reads its chain) into {@code prepared}, or records its problems. */
    @SuppressWarnings("unchecked")
    private void prepareMiddleware(String name, Defined<MiddlewareConfig> defined,
            Map<String, PreparedMiddleware> prepared, List<ConfigProblem> problems) {
        MiddlewareConfig declaration = defined.value();
        Middleware<Object> type = (Middleware<Object>) extensions.middleware(declaration.type());
        if (type == null && CHAIN.equals(declaration.type())) {
            List<String> bindingProblems = new ArrayList<>();
            ChainConfig chain = ConfigBinder.bindTree(mapper, declaration.options(), ChainConfig.class, CHAIN,
                    bindingProblems);
            if (bindingProblems.isEmpty() && (chain == null || chain.middlewares() == null
                    || chain.middlewares().isEmpty())) {
                bindingProblems.add("chain.middlewares is required and cannot be empty");
            }
            if (bindingProblems.isEmpty()) {
                List<String> references = new ArrayList<>();
                for (String reference : chain.middlewares()) {
                    if (reference == null || reference.isBlank()) {
                        bindingProblems.add("chain.middlewares cannot hold an empty name");
                    } else {
                        references.add(qualify(reference, defined.provider()));
                    }
                }
                if (bindingProblems.isEmpty()) {
                    prepared.put(name, new PreparedMiddleware(null, null, defined.provider(), List.copyOf(references)));
                }
            }
            bindingProblems.forEach(problem -> problems.add(new ConfigProblem("middleware " + name, defined.origin(), problem)));
            return;
        }
        if (type == null && declaration.type().equalsIgnoreCase(TRAEFIK_PLUGIN_MIDDLEWARE)) {
            problems.add(new ConfigProblem("middleware " + name, defined.origin(), "middleware type 'plugin' runs a "
                    + "Traefik plugin (Yaegi Go source or WASM), which Gatehouse cannot run; use a Gatehouse plugin "
                    + "instead (a Java jar in the plugins folder that provides a middleware type, see docs/plugins.md)"));
            return;
        }
        if (type == null) {
            String closest = ConfigBinder.closestKey(declaration.type(), extensions.names(ExtensionKind.MIDDLEWARE));
            problems.add(new ConfigProblem("middleware " + name, defined.origin(), "unknown middleware type '"
                    + declaration.type() + "'" + (closest == null ? "" : "; did you mean '" + closest + "'?")
                    + " (known: " + known(ExtensionKind.MIDDLEWARE)
                    + "; is the plugin that provides it in the plugins folder?)"));
            return;
        }
        List<String> bindingProblems = new ArrayList<>();
        Object options = ConfigBinder.bindTree(mapper, declaration.options(), type.configType(), declaration.type(),
                bindingProblems);
        if (bindingProblems.isEmpty()) {
            logDeprecations(name, defined, type, options);
            prepared.put(name, new PreparedMiddleware(type, options, defined.provider(), null));
        } else {
            bindingProblems.forEach(problem -> problems.add(new ConfigProblem("middleware " + name, defined.origin(), problem)));
        }
    }

    /**
     * Deprecated names and options work but are logged, as Traefik v3 logs them (not configuration problems: {@code check}
     * accepts them). A middleware type that fails here is only left unlogged.
     */
    private static void logDeprecations(String name, Defined<MiddlewareConfig> defined, Middleware<Object> type,
            Object options) {
        List<String> deprecations;
        try {
            deprecations = type.deprecations(options);
        } catch (RuntimeException e) {
            LOG.debug("Middleware type {} failed to list its deprecations", type.name(), e);
            return;
        }
        for (String deprecation : deprecations) {
            LOG.warn("middleware {}{}: {}", name, defined.origin() == null ? "" : " (from " + defined.origin() + ")",
                    deprecation);
        }
    }

    private static Map<String, PreparedMiddleware> withoutBrokenChains(BoundConfiguration configuration,
            Map<String, PreparedMiddleware> prepared, List<ConfigProblem> problems) {
        // A chain whose references loop or lead to a missing or broken middleware is broken itself.
        Map<String, String> brokenChains = new TreeMap<>();
        new TreeMap<>(prepared).forEach((name, middleware) -> {
            if (middleware.chain() != null) {
                try {
                    expand(name, new ArrayList<>(), prepared, new ArrayList<>());
                } catch (IllegalArgumentException e) {
                    brokenChains.put(name, e.getMessage());
                }
            }
        });
        brokenChains.forEach((name, problem) -> {
            prepared.remove(name);
            problems.add(new ConfigProblem("middleware " + name, configuration.middlewares().get(name).origin(), problem));
        });
        return prepared;
    }

    /**
     * Adds to {@code out} the middlewares that {@code name} stands for: itself, or for a chain, what each of its
     * references stands for, in order.
     *
     * @param stack the chains being expanded, outermost first
     * @throws IllegalArgumentException naming the loop, or the missing middleware
     */
    private static void expand(String name, List<String> stack, Map<String, PreparedMiddleware> prepared,
            List<String> out) {
        if (stack.contains(name)) {
            List<String> loop = new ArrayList<>(stack.subList(stack.indexOf(name), stack.size()));
            loop.add(name);
            throw new IllegalArgumentException("chain.middlewares: recursion detected: " + String.join(" -> ", loop));
        }
        PreparedMiddleware middleware = prepared.get(name);
        if (middleware == null) {
            throw new IllegalArgumentException((stack.isEmpty() ? "" : "chain.middlewares: ") + "middleware '" + name
                    + "' does not exist or is disabled (see its own error)");
        }
        if (middleware.chain() == null) {
            out.add(name);
            return;
        }
        stack.add(name);
        for (String reference : middleware.chain()) {
            expand(reference, stack, prepared, out);
        }
        stack.remove(stack.size() - 1);
    }

    /** @param definedServices the services of the configuration, built or not, to tell "disabled" from "missing" */
    private Route buildRouter(String name, Defined<RouterConfig> defined, List<String> entryPointMiddlewares,
            Map<String, Handler> services, Set<String> definedServices, Map<String, PreparedMiddleware> middlewares,
            RouterProblems problems, List<LifeCycle> components) {
        RouterConfig router = defined.value();
        RequestPredicate predicate = null;
        if (router.rule() == null || router.rule().isBlank()) {
            problems.add("has no rule");
        } else {
            try {
                RuleCompiler syntax = ruleSyntax(router.ruleSyntax());
                if (router.ruleSyntax() != null && syntax != null) {
                    LOG.warn("router {}: 'ruleSyntax' is deprecated, as in Traefik v3: write the rule in the v3 syntax "
                            + "and remove the option", name);
                }
                if (syntax == null) {
                    problems.add("ruleSyntax '" + router.ruleSyntax() + "' is unknown: use v3 (the default) or v2");
                } else {
                    predicate = syntax.compile(router.rule());
                }
            } catch (RuleSyntaxException e) {
                problems.add("rule " + shortened(router.rule()) + " is invalid " + e.getMessage());
            }
        }
        Handler service = null;
        if (router.service() == null || router.service().isBlank()) {
            problems.add("has no service");
        } else {
            String serviceName = qualify(router.service(), defined.provider());
            service = services.get(serviceName);
            if (service == null && definedServices.contains(serviceName)) {
                problems.add("service '" + serviceName + "' is disabled (see its own error)");
            } else if (service == null) {
                String closest = ConfigBinder.closestKey(serviceName, definedServices);
                problems.add("service '" + serviceName + "' does not exist"
                        + (closest == null ? "" : "; did you mean '" + closest + "'?"));
            }
        }
        List<String> references = new ArrayList<>(entryPointMiddlewares);
        references.addAll(router.middlewares());
        MiddlewareChain chain = createChain(references, defined.provider(), middlewares, services::get, problems::add);
        if (problems.any()) {
            return null;
        }
        String serviceName = qualify(router.service(), defined.provider());
        boolean traced = tracing != null && tracing.traces(serviceName);
        Handler handler = chain.around(traced ? tracing.service(serviceName, service) : service, traced, server, tracing);
        String failure = chain.start(components);
        if (failure != null) {
            problems.add(failure);
            return null;
        }
        if (traced) {
            handler = tracing.router(name, router.rule(), serviceName, handler);
        }
        ObservabilityConfig switches = router.observability();
        boolean hasSwitches = switches != null && (switches.accessLogs() != null || switches.metrics() != null
                || switches.tracing() != null || switches.traceVerbosity() != null);
        // As Traefik, a router to one of the gateway's own services is internal (see accessLog/metrics.addInternals).
        boolean internal = serviceName.endsWith("@internal");
        if (hasSwitches || internal) {
            handler = new ObservabilitySwitches(hasSwitches ? switches : null, internal, handler);
        }
        return new Route(name, router.effectivePriority(), predicate, handler);
    }

    /**
     * The compiler for a router's {@code ruleSyntax}: v3 or v2 as it asks (Traefik v3 reads both), the static
     * {@code core.defaultRuleSyntax} when it does not, or null for an unknown syntax.
     */
    private RuleCompiler ruleSyntax(String name) {
        if (name == null || name.isEmpty()) {
            return defaultRules;
        }
        if (name.equals("v3")) {
            return rules;
        }
        return name.equals("v2") ? rulesV2 : null;
    }

    /**
     * First handler of a router with {@code observability} switches or an {@code @internal} service: sets them on the
     * request's record (over its entry point's), so the access log and the metrics skip the request when told to. The
     * chain behind is not owned.
     */
    private static final class ObservabilitySwitches extends Handler.Abstract {
        private final ObservabilityConfig switches;
        private final boolean internal;
        private final Handler next;

        /** @param switches the router's switches, or null for none */
        ObservabilitySwitches(ObservabilityConfig switches, boolean internal, Handler next) {
            this.switches = switches;
            this.internal = internal;
            this.next = next;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            RequestRecord observed = RequestRecord.of(request);
            if (observed != null) {
                observed.observability(switches);
                if (internal) {
                    observed.internal();
                }
            }
            return next.handle(request, response, callback);
        }
    }

    /**
     * Creates the middlewares that {@code references} stand for (chains expanded), each reference qualified with
     * {@code provider}; what fails goes to {@code problems}, and is left out of the chain.
     *
     * @param services a service by qualified name, for middlewares that send to one ({@code errors}); null when none
     */
    private MiddlewareChain createChain(List<String> references, String provider,
            Map<String, PreparedMiddleware> middlewares, Function<String, Handler> services, Consumer<String> problems) {
        List<String> leaves = new ArrayList<>();
        for (String reference : references) {
            try {
                expand(qualify(reference, provider), new ArrayList<>(), middlewares, leaves);
            } catch (IllegalArgumentException e) {
                problems.accept(e.getMessage());
            }
        }
        MiddlewareChain chain = new MiddlewareChain(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (String middlewareName : leaves) {
            PreparedMiddleware middleware = middlewares.get(middlewareName);
            try {
                Handler.Wrapper wrapper = middleware.type().create(middleware.options(),
                        new Context(middleware.provider(), services));
                if (wrapper == null) {
                    problems.accept("middleware '" + middlewareName + "' produced no handler");
                } else {
                    chain.wrappers.add(wrapper);
                    chain.types.add(middleware.type().name());
                    chain.names.add(middlewareName);
                }
            } catch (Exception e) {
                problems.accept("middleware '" + middlewareName + "' cannot be created: " + e.getMessage());
            } catch (Error e) {
                problems.accept("middleware '" + middlewareName + "' "
                        + unexpectedFailure("middleware " + middlewareName, e));
            }
        }
        return chain;
    }

    /** Created middleware handlers, in the order requests go through them, with their type and name for spans. */
    private record MiddlewareChain(List<Handler.Wrapper> wrappers, List<String> types, List<String> names) {

        boolean isEmpty() {
            return wrappers.isEmpty();
        }

        /** Links the handlers in front of {@code end}, each with its span when traced; returns the first. */
        Handler around(Handler end, boolean traced, Server server, Tracing tracing) {
            Handler handler = end;
            for (int i = wrappers.size() - 1; i >= 0; i--) {
                Handler.Wrapper wrapper = wrappers.get(i);
                wrapper.setServer(server);
                wrapper.setHandler(handler);
                handler = traced ? tracing.middleware(types.get(i), names.get(i), wrapper) : wrapper;
            }
            return handler;
        }

        /** Starts the handlers and adds them to {@code components}; returns the problem when one fails, else null. */
        String start(List<LifeCycle> components) {
            for (Handler.Wrapper wrapper : wrappers) {
                try {
                    // Start only the wrapper itself: the service at the end of the chain is shared.
                    if (wrapper.isStopped()) {
                        wrapper.start();
                    }
                    components.add(wrapper);
                } catch (Exception e) {
                    return "a middleware handler failed to start: " + e;
                }
            }
            return null;
        }
    }

    /**
     * {@code http.services.<name>.middlewares} (Traefik v3.7): the service's own middlewares, put in front of it so
     * that they apply wherever it is used, by a router or as the child of another service; names are qualified
     * with the service's provider. A middleware that cannot be created disables the service.
     */
    private ServiceHandler withOwnMiddlewares(String name, Defined<ServiceConfig> defined, ServiceHandler service,
            ServiceBuild build) {
        List<String> references = defined.value().middlewares();
        if (references.isEmpty()) {
            return service;
        }
        List<String> chainProblems = new ArrayList<>();
        // A middleware that sends to a service (errors) finds it built on demand, as the children of services are.
        Function<String, Handler> services = qualified -> {
            Handler internal = internalServices.get(qualified);
            return internal != null ? internal
                    : build.reference(name, defined.provider(), "middlewares", qualified);
        };
        MiddlewareChain chain = createChain(references, defined.provider(), build.middlewares, services,
                chainProblems::add);
        Handler front = null;
        if (chainProblems.isEmpty()) {
            front = chain.around(service, tracing != null && tracing.traces(name), server, tracing);
            String failure = chain.start(build.components);
            if (failure != null) {
                chainProblems.add(failure);
            }
        }
        if (!chainProblems.isEmpty()) {
            throw new IllegalArgumentException("middlewares: " + String.join("; ", chainProblems));
        }
        return new MiddlewareFrontedService(service, front);
    }

    /** What a middleware being created may ask for: services of the same configuration. */
    private record Context(String provider, Function<String, Handler> services) implements MiddlewareContext {
        @Override
        public Handler service(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a service name is required");
            }
            String qualified = qualify(name, provider);
            Handler service = services.apply(qualified);
            if (service == null) {
                throw new IllegalArgumentException("service '" + qualified + "' does not exist or is disabled (see its own error)");
            }
            return service;
        }
    }

    private List<Integer> entryPointIndexes(RouterConfig router, RouterProblems problems) {
        List<String> names = router.entryPoints().isEmpty() ? defaultEntryPoints : router.entryPoints();
        List<Integer> indexes = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String name : names) {
            int index = entryPoints.indexOf(name);
            if (index < 0) {
                unknown.add("entry point '" + name + "' does not exist (known: " + String.join(", ", entryPoints) + ")");
            } else if (!indexes.contains(index)) {
                indexes.add(index);
            }
        }
        // As Traefik: a router on at least one existing entry point serves there, with a warning for the others.
        unknown.forEach(indexes.isEmpty() ? problems::add : problems::warn);
        return indexes;
    }

    private String known(ExtensionKind kind) {
        return extensions.names(kind).isEmpty() ? "none" : String.join(", ", extensions.names(kind));
    }

    /**
     * The one-line problem for a failure that is not a configuration error (a plugin's bug, a stack overflow on
     * hostile input): the element it happened in fails alone, and its stack trace goes to the DEBUG log only.
     * OutOfMemoryError, and the JVM's other VirtualMachineErrors except StackOverflowError, are not caught: after
     * one the heap or the JVM is in an unknown state, and the launcher's -XX:+ExitOnOutOfMemoryError ends the
     * process so that its supervisor restarts it (the regexp bounds keep configurations from causing one). A
     * stack overflow, by contrast, has unwound the build of that one element and left nothing shared behind.
     */
    private static String unexpectedFailure(String element, Throwable failure) {
        if (failure instanceof VirtualMachineError error && !(failure instanceof StackOverflowError)) {
            throw error;
        }
        LOG.debug("Building {} failed", element, failure);
        if (failure instanceof StackOverflowError) {
            return "could not be built: it nests too deeply for the gateway's stack; simplify it";
        }
        String message = failure.getMessage() == null ? "" : failure.getMessage().lines().findFirst().orElse("").strip();
        return "could not be built: " + (message.isEmpty() ? "an internal error (details in the DEBUG log)"
                : shortened(message));
    }

    /** Configured text in a problem: a rule of ten thousand terms must not make a log line of that size. */
    private static String shortened(String text) {
        int shown = 200;
        return text.length() <= shown + 40 ? text
                : text.substring(0, shown) + "... (" + text.length() + " characters)";
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
        /** Problems that leave the router serving (its status is then {@code warning}). */
        final List<ConfigProblem> warnings = new ArrayList<>();

        RouterProblems(String element, String origin) {
            this.element = element;
            this.origin = origin;
        }

        void add(String message) {
            list.add(new ConfigProblem(element, origin, message));
        }

        void warn(String message) {
            warnings.add(new ConfigProblem(element, origin, message));
        }

        boolean any() {
            return !list.isEmpty();
        }
    }
}
