package dev.gatehouse.core.runtime;

import static dev.gatehouse.core.dynamic.ElementNames.qualify;

import dev.gatehouse.core.config.dynamic.FailoverConfig;
import dev.gatehouse.core.config.dynamic.LoadBalancerConfig;
import dev.gatehouse.core.config.dynamic.MirroringConfig;
import dev.gatehouse.core.config.dynamic.ServerConfig;
import dev.gatehouse.core.config.dynamic.ServiceConfig;
import dev.gatehouse.core.config.dynamic.StickyConfig;
import dev.gatehouse.core.config.dynamic.WeightedConfig;
import dev.gatehouse.api.http.StatusRanges;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamServer;
import dev.gatehouse.core.runtime.MiddlewareDefinitions.PreparedMiddleware;
import dev.gatehouse.core.service.FailoverService;
import dev.gatehouse.core.service.HealthChecker;
import dev.gatehouse.core.service.HighestRandomWeightService;
import dev.gatehouse.core.service.LoadBalancedService;
import dev.gatehouse.core.service.MiddlewareFrontedService;
import dev.gatehouse.core.service.MirroringService;
import dev.gatehouse.core.service.ServiceHandler;
import dev.gatehouse.core.service.StickyCookie;
import dev.gatehouse.core.service.WeightedService;
import dev.gatehouse.core.tracing.Tracing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The services stage of one build: load balancers (with their health checks and transports), weighted,
 * highestRandomWeight, mirroring and failover services, each behind its own middlewares. Services are built on
 * demand, children first, so that a service finds the services it refers to; a reference back to a service being
 * built is a cycle, an error of that service. A service that fails is left out with its problem, and so is every
 * service that refers to it.
 */
final class ServiceBuilder {
    private final RuntimeSettings settings;
    private final BoundConfiguration configuration;
    private final NameSuggestions names;
    private final List<ConfigProblem> problems;
    /** The health checks of load balancers, started once the whole runtime is built. */
    private final List<LifeCycle> healthChecks;
    private final Transports transports;
    private final Map<String, PreparedMiddleware> middlewares;
    /** The started handlers of services' own middlewares, stopped with the runtime. */
    private final List<LifeCycle> components;
    private final Map<String, ServiceHandler> built = new HashMap<>();
    private final Map<String, String> failed = new HashMap<>();
    /** The previous build's load balancers that may be used again, by qualified name ({@link ReusableService}). */
    private final Map<String, ReusableService> previous;
    /** This build's, to become the next build's {@link #previous}. */
    private final Map<String, ReusableService> reusable = new HashMap<>();
    private final LinkedHashSet<String> building = new LinkedHashSet<>();

    ServiceBuilder(RuntimeSettings settings, BoundConfiguration configuration, List<ConfigProblem> problems,
            List<LifeCycle> healthChecks, Transports transports, Map<String, PreparedMiddleware> middlewares,
            List<LifeCycle> components) {
        this(settings, configuration, problems, healthChecks, transports, middlewares, components, Map.of());
    }

    /** @param previous the {@link #reusable()} services of the previous build, to be used again when unchanged */
    ServiceBuilder(RuntimeSettings settings, BoundConfiguration configuration, List<ConfigProblem> problems,
            List<LifeCycle> healthChecks, Transports transports, Map<String, PreparedMiddleware> middlewares,
            List<LifeCycle> components, Map<String, ReusableService> previous) {
        this.previous = previous;
        this.settings = settings;
        this.configuration = configuration;
        this.names = new NameSuggestions(configuration);
        this.problems = problems;
        this.healthChecks = healthChecks;
        this.transports = transports;
        this.middlewares = middlewares;
        this.components = components;
    }

    /** Builds every service of the configuration; returns those that were built, by qualified name. */
    Map<String, ServiceHandler> buildAll() {
        for (String name : new TreeMap<>(configuration.services()).keySet()) {
            service(name);
        }
        return built;
    }

    /** The services of this build that the next one may use again when their definition is unchanged. */
    Map<String, ReusableService> reusable() {
        return reusable;
    }

    /**
     * A load balancer built by one runtime, which the next runtime uses again, with its passive health and round-robin
     * state, while its definition (configuration and provider) and its transport's client stay the same. Only
     * load balancers that own nothing stopped with a runtime are kept: none with an active health check (a component
     * of the runtime that started it) or with its own middlewares (handlers started and stopped with their runtime).
     * A load balancer depends on nothing else than its definition, its client and the gateway's static settings, so
     * one built again would be the same; being the same object lets the routers to it be kept too
     * ({@link RouterBuilder}).
     */
    record ReusableService(Defined<ServiceConfig> defined, ServiceHandler handler, UpstreamClient client) {

        /** Whether a service of this configuration can be kept from one runtime to the next. */
        static boolean kept(ServiceConfig config) {
            return config.loadBalancer() != null && config.weighted() == null && config.mirroring() == null
                    && config.failover() == null && config.highestRandomWeight() == null
                    && config.loadBalancer().healthCheck() == null && config.middlewares().isEmpty();
        }
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
            ServiceHandler service = previousBalancer(name, defined);
            if (service == null) {
                service = withOwnMiddlewares(name, defined, buildService(name, defined));
            }
            built.put(name, service);
            return service;
        } catch (IllegalArgumentException e) {
            failed.put(name, e.getMessage());
            ProblemKind kind = e instanceof ServiceProblem problem ? problem.kind : ProblemKind.INVALID;
            problems.add(new ConfigProblem(ConfigElement.service(name), defined.origin(), kind, e.getMessage()));
            return null;
        } catch (Throwable failure) {
            String problem = BuildFailures.unexpectedFailure("service " + name, failure);
            failed.put(name, problem);
            problems.add(new ConfigProblem(ConfigElement.service(name), defined.origin(), ProblemKind.UNEXPECTED,
                    problem));
            return null;
        } finally {
            building.remove(name);
        }
    }

    /**
     * The previous build's load balancer of this name when it can serve this runtime as it is (see
     * {@link ReusableService}), else null. Its client is leased for this runtime as a build would lease it.
     */
    private ServiceHandler previousBalancer(String name, Defined<ServiceConfig> defined) {
        ReusableService before = previous.get(name);
        if (before == null || !ReusableService.kept(defined.value()) || !sameDefinition(before.defined(), defined)) {
            return null;
        }
        UpstreamClient client = transports.client(defined.value().loadBalancer().serversTransport(), defined.provider());
        if (client != before.client()) {
            return null;
        }
        reusable.put(name, before);
        return before.handler();
    }

    /**
     * Same configuration (the binder gives an unchanged element the same object) and provider. The origin
     * ({@code file:line}) may differ: lines move when an element above is added or removed, and what is built does
     * not hold the origin (problems take it from the element as defined now).
     */
    static <T> boolean sameDefinition(Defined<T> before, Defined<T> now) {
        return (before.value() == now.value() || before.value().equals(now.value()))
                && before.provider().equals(now.provider());
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
            throw new ServiceProblem(ProblemKind.MISSING_SERVICE, key + ": service '" + target + "' does not exist");
        }
        ServiceHandler service = service(target);
        if (service == null) {
            throw new ServiceProblem(ProblemKind.MISSING_SERVICE, key + ": service '" + target
                    + "' is disabled (see its own error)");
        }
        return service;
    }

    private ServiceHandler buildService(String name, Defined<ServiceConfig> defined) {
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
                children.add(reference(name, provider, "highestRandomWeight.services[" + i + "].name", child.name()));
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
                children.add(reference(name, provider, "weighted.services[" + i + "].name", child.name()));
                if (child.weightOrDefault() < 0) {
                    throw new IllegalArgumentException("weighted.services[" + i + "].weight must not be negative");
                }
                weights.add(child.weightOrDefault());
            }
            return new WeightedService(name, children, weights, stickyCookie(weighted.sticky(), name));
        }
        if (service.mirroring() != null) {
            MirroringConfig mirroring = service.mirroring();
            ServiceHandler main = reference(name, provider, "mirroring.service", mirroring.service());
            List<ServiceHandler> mirrors = new ArrayList<>();
            List<Integer> percents = new ArrayList<>();
            for (int i = 0; i < mirroring.mirrors().size(); i++) {
                MirroringConfig.Mirror mirror = mirroring.mirrors().get(i);
                mirrors.add(reference(name, provider, "mirroring.mirrors[" + i + "].name", mirror.name()));
                percents.add(mirror.percentOrDefault());
            }
            return new MirroringService(name, main, mirrors, percents, mirroring.maxBodySizeOrDefault(),
                    mirroring.mirrorBodyOrDefault(), settings.upstream());
        }
        if (service.failover() != null) {
            FailoverConfig failover = service.failover();
            ServiceHandler main = reference(name, provider, "failover.service", failover.service());
            ServiceHandler fallback = reference(name, provider, "failover.fallback", failover.fallback());
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
        UpstreamClient client = transports.client(loadBalancer.serversTransport(), provider);
        LoadBalancedService balancer = new LoadBalancedService(name, servers, weights,
                loadBalancer.passHostHeaderOrDefault(), loadBalancer.strategyOrDefault(),
                loadBalancer.passiveHealthCheckOrDefault(), stickyCookie(loadBalancer.sticky(), name), client, settings.scheduler());
        if (ReusableService.kept(service)) {
            reusable.put(name, new ReusableService(defined, balancer, client));
        }
        if (loadBalancer.healthCheck() != null) {
            // Built (and so validated) either way; without a scheduler (gatehouse check, tests) it never probes.
            HealthChecker checker = new HealthChecker(balancer, loadBalancer.healthCheck(), client, settings.scheduler());
            if (settings.scheduler() != null) {
                healthChecks.add(checker);
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
     * {@code http.services.<name>.middlewares} (Traefik v3.7): the service's own middlewares, put in front of it so
     * that they apply wherever it is used, by a router or as the child of another service; names are qualified
     * with the service's provider. A middleware that cannot be created disables the service.
     */
    private ServiceHandler withOwnMiddlewares(String name, Defined<ServiceConfig> defined, ServiceHandler service) {
        List<String> references = defined.value().middlewares();
        if (references.isEmpty()) {
            return service;
        }
        List<String> chainProblems = new ArrayList<>();
        // A middleware that sends to a service (errors) finds it built on demand, as the children of services are.
        Function<String, Handler> services = qualified -> {
            Handler internal = settings.internalServices().get(qualified);
            return internal != null ? internal
                    : reference(name, defined.provider(), "middlewares", qualified);
        };
        MiddlewareChain chain = MiddlewareChain.create(references, defined.provider(), middlewares,
                names, services,
                chainProblems::add);
        Handler front = null;
        if (chainProblems.isEmpty()) {
            Tracing tracing = settings.tracing();
            front = chain.around(service, tracing != null && tracing.traces(name), settings.server(), tracing);
            String failure = chain.start(components);
            if (failure != null) {
                chainProblems.add(failure);
            }
        }
        if (!chainProblems.isEmpty()) {
            throw new ServiceProblem(ProblemKind.MIDDLEWARE, "middlewares: " + String.join("; ", chainProblems));
        }
        return new MiddlewareFrontedService(service, front);
    }

    /** A problem that disables the service being built, of another kind than its own settings being wrong. */
    private static final class ServiceProblem extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final transient ProblemKind kind;

        ServiceProblem(ProblemKind kind, String message) {
            super(message);
            this.kind = kind;
        }
    }
}
