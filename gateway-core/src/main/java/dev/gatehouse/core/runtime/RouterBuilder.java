package dev.gatehouse.core.runtime;

import static dev.gatehouse.core.dynamic.ElementNames.qualify;

import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.config.dynamic.ObservabilityConfig;
import dev.gatehouse.core.config.dynamic.RouterConfig;
import dev.gatehouse.core.config.dynamic.RouterTlsConfig;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.router.Route;
import dev.gatehouse.core.router.RoutingTable;
import dev.gatehouse.core.router.RuleCompiler;
import dev.gatehouse.core.router.RuleSyntaxException;
import dev.gatehouse.core.runtime.MiddlewareDefinitions.PreparedMiddleware;
import dev.gatehouse.core.tracing.Tracing;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import dev.gatehouse.core.config.ConfigBinder;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routers stage of a build: compiles each router's rule, puts its middleware chain in front of its service
 * (one chain per distinct list of entry point middlewares), plans its TLS, and sorts the routers of each entry
 * point into a routing table for plain requests and one for requests that came over TLS. A router with a problem
 * is left out (disabled) and nothing else is.
 */
final class RouterBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeBuilder.class);

    private final RuntimeSettings settings;
    private final List<String> entryPoints;
    private final List<String> defaultEntryPoints;
    /** {@code entryPoints.<name>.http.middlewares} by entry point index; entry points without any are absent. */
    private final Map<Integer, List<String>> entryPointMiddlewares;
    private final RuleCompiler rules;
    private final RuleCompiler rulesV2;
    /** The compiler of rules whose router sets no {@code ruleSyntax}. */
    private final RuleCompiler defaultRules;
    private final Comparator<Route> routeOrder;
    /** {@code entryPoints.<ep>.http.tls} by entry point index (null where absent), or null for none at all. */
    private final List<RouterTlsConfig> entryPointTls;

    /**
     * The rules the previous {@link #build} compiled, by compiler (syntax) and text, so that a reload compiles only
     * the rules that changed (parsing and compiling 10,000 rules was a sixth of rebuilding the routers). A compiled
     * rule depends on nothing but its text and the matchers, which do not change while the gateway runs, and it is
     * immutable (it serves concurrent requests already). Only the previous build's rules are kept.
     */
    private Map<CompiledRuleKey, RequestPredicate> previousRules = Map.of();
    private Map<CompiledRuleKey, RequestPredicate> currentRules = new HashMap<>();

    private record CompiledRuleKey(RuleCompiler syntax, String rule) {
    }

    /**
     * The routes the previous {@link #build} built without middlewares, by router name, so that a reload keeps the
     * route of a router that did not change: same definition, and the very same service handler (a service kept
     * from the previous runtime, see {@link ServiceBuilder.ReusableService}). Such a route holds nothing else than
     * its compiled rule, its service and what the gateway's static settings put around it (tracing, observability
     * switches), and nothing started: it is what a build would make again. A router with middlewares is built again
     * each time (its middleware handlers are started and stopped with their runtime).
     */
    private Map<String, ReusableRoute> previousRoutes = Map.of();
    private Map<String, ReusableRoute> currentRoutes = new HashMap<>();

    private record ReusableRoute(Defined<RouterConfig> defined, Handler service, Route route) {
    }

    /** The routing tables of every entry point, and the routers that serve (the others are disabled). */
    record Routing(RoutingTable[] tables, RoutingTable[] tlsTables, Set<String> served) {
    }

    RouterBuilder(RuntimeSettings settings) {
        this.settings = settings;
        this.entryPoints = settings.entryPoints();
        this.defaultEntryPoints = settings.defaultEntryPoints();
        this.entryPointTls = settings.entryPointTls();
        Map<Integer, List<String>> byIndex = new HashMap<>();
        settings.entryPointMiddlewares().forEach((name, references) -> {
            int index = entryPoints.indexOf(name);
            if (index >= 0 && references != null && !references.isEmpty()) {
                byIndex.put(index, List.copyOf(references));
            }
        });
        this.entryPointMiddlewares = Map.copyOf(byIndex);
        this.rules = new RuleCompiler(settings.extensions());
        this.rulesV2 = rules.v2();
        this.defaultRules = "v2".equals(settings.defaultRuleSyntax()) ? rulesV2 : rules;
        this.routeOrder = settings.providersPrecedence() == null ? RoutingTable.ORDER
                : RoutingTable.order(settings.providersPrecedence());
    }

    /**
     * Builds every router of {@code configuration}, in name order.
     *
     * @param routerNames the names of its routers, in order
     * @param services the services built for it, with the gateway's own, by qualified name
     * @param tlsPlan collects what the TLS routers need
     * @param components receives the started middleware handlers of the routers that were built
     */
    Routing build(BoundConfiguration configuration, List<String> routerNames, Map<String, Handler> services,
            Map<String, PreparedMiddleware> middlewares, TlsPlan tlsPlan, List<ConfigProblem> problems,
            List<LifeCycle> components) {
        currentRules = new HashMap<>();
        currentRoutes = new HashMap<>();
        try {
            return buildAll(configuration, routerNames, services, middlewares, tlsPlan, problems, components);
        } finally {
            previousRules = currentRules;
            previousRoutes = currentRoutes;
        }
    }

    private Routing buildAll(BoundConfiguration configuration, List<String> routerNames, Map<String, Handler> services,
            Map<String, PreparedMiddleware> middlewares, TlsPlan tlsPlan, List<ConfigProblem> problems,
            List<LifeCycle> components) {
        List<List<Route>> routesByEntryPoint = new ArrayList<>();
        List<List<Route>> tlsRoutesByEntryPoint = new ArrayList<>();
        for (int i = 0; i < entryPoints.size(); i++) {
            routesByEntryPoint.add(new ArrayList<>());
            tlsRoutesByEntryPoint.add(new ArrayList<>());
        }
        Set<String> served = new HashSet<>();

        NameSuggestions names = new NameSuggestions(configuration);
        java.util.function.BiConsumer<String, Defined<RouterConfig>> buildOne = (name, defined) -> {
            RouterProblems routerProblems = new RouterProblems(name, defined.origin());
            List<LifeCycle> routerComponents = new ArrayList<>();
            List<Integer> indexes = entryPointIndexes(defined.value(), routerProblems);
            // One chain per distinct list of entry point middlewares (most often a single one for all).
            Map<List<String>, Route> routes = new LinkedHashMap<>(4);
            for (int index : indexes) {
                List<String> prefix = entryPointMiddlewares.getOrDefault(index, List.of());
                if (!routes.containsKey(prefix)) {
                    Route route = null;
                    try {
                        route = buildRouter(name, defined, prefix, services, middlewares,
                                names, routerProblems, routerComponents);
                    } catch (Throwable failure) {
                        routerProblems.add(ProblemKind.UNEXPECTED,
                                BuildFailures.unexpectedFailure("router " + name, failure));
                    }
                    routes.put(prefix, route);
                }
            }
            boolean built = !routes.containsValue(null);
            List<RouterTlsConfig> tlsByIndex = new ArrayList<>(indexes.size());
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
                routerComponents.forEach(BuildFailures::stopQuietly);
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
            served.add(name);
        };
        for (String name : routerNames) {
            buildOne.accept(name, configuration.routers().get(name));
        }

        // As Traefik, a request that no router matches is traced on its entry point (its 404).
        Tracing tracing = settings.tracing();
        Handler notFound = tracing == null ? null : tracing.notFound();
        RoutingTable[] tables = new RoutingTable[entryPoints.size()];
        RoutingTable[] tlsTables = new RoutingTable[entryPoints.size()];
        for (int i = 0; i < tables.length; i++) {
            tables[i] = new RoutingTable(routesByEntryPoint.get(i), routeOrder, notFound);
            tlsTables[i] = new RoutingTable(tlsRoutesByEntryPoint.get(i), routeOrder, notFound);
        }
        return new Routing(tables, tlsTables, served);
    }

    /**
     * By middleware, the routers that use it: named in the router, reached through a chain, or put in front by
     * the router's entry points ({@code entryPoints.<name>.http.middlewares}). Middlewares of a broken chain
     * beyond the chain itself are not followed.
     */
    Map<String, List<String>> middlewareUsers(BoundConfiguration configuration,
            Map<String, PreparedMiddleware> prepared) {
        Map<String, SortedSet<String>> users = new HashMap<>();
        configuration.routers().forEach((router, defined) -> {
            if (entryPointMiddlewares.isEmpty() && defined.value().middlewares().isEmpty()) {
                return;   // most routers of a large configuration: nothing to follow, and nothing to allocate
            }
            List<String> references = new ArrayList<>();
            List<String> names = defined.value().entryPoints().isEmpty() ? defaultEntryPoints : defined.value().entryPoints();
            for (String entryPoint : names) {
                references.addAll(entryPointMiddlewares.getOrDefault(entryPoints.indexOf(entryPoint), List.of()));
            }
            references.addAll(defined.value().middlewares());
            if (references.isEmpty()) {
                return;   // most routers of a large configuration: nothing to follow
            }
            Deque<String> pending = new ArrayDeque<>();
            references.forEach(reference -> pending.add(qualify(reference, defined.provider())));
            Set<String> seen = new HashSet<>();
            while (!pending.isEmpty()) {
                String name = pending.poll();
                if (!seen.add(name)) {
                    continue;
                }
                users.computeIfAbsent(name, n -> new TreeSet<>()).add(router);
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

    /** @param definedNames the configuration's middlewares and services, to tell "disabled" from "missing" and suggest one */
    private Route buildRouter(String name, Defined<RouterConfig> defined, List<String> entryPointMiddlewares,
            Map<String, Handler> services, Map<String, PreparedMiddleware> middlewares,
            NameSuggestions definedNames, RouterProblems problems, List<LifeCycle> components) {
        RouterConfig router = defined.value();
        boolean withoutMiddlewares = entryPointMiddlewares.isEmpty() && router.middlewares().isEmpty();
        ReusableRoute before = withoutMiddlewares ? previousRoutes.get(name) : null;
        // (A router with a ruleSyntax is built each time: the build logs that the option is deprecated.)
        if (before != null && ServiceBuilder.sameDefinition(before.defined(), defined) && router.ruleSyntax() == null
                && before.service() == services.get(qualify(router.service(), defined.provider()))) {
            currentRoutes.put(name, before);
            return before.route();
        }
        RequestPredicate predicate = null;
        if (router.rule() == null || router.rule().isBlank()) {
            problems.add(ProblemKind.INVALID, "has no rule");
        } else {
            try {
                RuleCompiler syntax = ruleSyntax(router.ruleSyntax());
                if (router.ruleSyntax() != null && syntax != null) {
                    LOG.warn("router {}: 'ruleSyntax' is deprecated, as in Traefik v3: write the rule in the v3 syntax "
                            + "and remove the option", name);
                }
                if (syntax == null) {
                    problems.add(ProblemKind.INVALID, "ruleSyntax '" + router.ruleSyntax()
                            + "' is unknown: use v3 (the default) or v2");
                } else {
                    predicate = compile(syntax, router.rule());
                }
            } catch (RuleSyntaxException e) {
                problems.add(ProblemKind.INVALID,
                        "rule " + BuildFailures.shortened(router.rule()) + " is invalid " + e.getMessage());
            }
        }
        Handler service = null;
        if (router.service() == null || router.service().isBlank()) {
            problems.add(ProblemKind.INVALID, "has no service");
        } else {
            String serviceName = qualify(router.service(), defined.provider());
            service = services.get(serviceName);
            if (service == null && definedNames.services().contains(serviceName)) {
                problems.add(ProblemKind.MISSING_SERVICE, "service '" + serviceName + "' is disabled (see its own error)");
            } else if (service == null) {
                problems.add(ProblemKind.MISSING_SERVICE, "service '" + serviceName + "' does not exist"
                        + NameSuggestions.didYouMean(definedNames.closestService(serviceName)));
            }
        }
        List<String> references = new ArrayList<>(entryPointMiddlewares);
        references.addAll(router.middlewares());
        MiddlewareChain chain = MiddlewareChain.create(references, defined.provider(), middlewares, definedNames, services::get,
                problem -> problems.add(ProblemKind.MIDDLEWARE, problem));
        if (problems.any()) {
            return null;
        }
        String serviceName = qualify(router.service(), defined.provider());
        Tracing tracing = settings.tracing();
        boolean traced = tracing != null && tracing.traces(serviceName);
        Handler handler = chain.around(traced ? tracing.service(serviceName, service) : service, traced, settings.server(), tracing);
        String failure = chain.start(components);
        if (failure != null) {
            problems.add(ProblemKind.UNEXPECTED, failure);
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
        Route route = new Route(name, router.effectivePriority(), predicate, handler);
        if (withoutMiddlewares) {
            currentRoutes.put(name, new ReusableRoute(defined, service, route));
        }
        return route;
    }

    /** The compiled rule, from the previous build when it compiled the same text with the same syntax. */
    private RequestPredicate compile(RuleCompiler syntax, String rule) throws RuleSyntaxException {
        CompiledRuleKey key = new CompiledRuleKey(syntax, rule);
        RequestPredicate compiled = previousRules.get(key);
        if (compiled == null) {
            compiled = currentRules.get(key);
        }
        if (compiled == null) {
            compiled = syntax.compile(rule);   // a rule that does not compile throws: it is never kept
        }
        currentRules.put(key, compiled);
        return compiled;
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

    private List<Integer> entryPointIndexes(RouterConfig router, RouterProblems problems) {
        List<String> names = router.entryPoints().isEmpty() ? defaultEntryPoints : router.entryPoints();
        List<Integer> indexes = new ArrayList<>(names.size());
        List<String> unknown = List.of();   // most routers: none (a list is made for the first)
        for (String name : names) {
            int index = entryPoints.indexOf(name);
            if (index < 0) {
                if (unknown.isEmpty()) {
                    unknown = new ArrayList<>();
                }
                unknown.add("entry point '" + name + "' does not exist (known: " + String.join(", ", entryPoints) + ")");
            } else if (!indexes.contains(index)) {
                indexes.add(index);
            }
        }
        // As Traefik: a router on at least one existing entry point serves there, with a warning for the others.
        for (String problem : unknown) {
            if (indexes.isEmpty()) {
                problems.add(ProblemKind.ENTRY_POINT, problem);
            } else {
                problems.warn(ProblemKind.ENTRY_POINT, problem);
            }
        }
        return indexes;
    }
}
