package dev.gatehouse.core.runtime;

import static dev.gatehouse.core.dynamic.ElementNames.qualify;

import dev.gatehouse.core.config.dynamic.MiddlewareConfig;
import dev.gatehouse.core.config.dynamic.RouterConfig;
import dev.gatehouse.core.config.dynamic.ServiceConfig;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.service.ServiceHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one runtime is made of, element by element: every router, service and middleware that the providers
 * published, including those that could not even be read, each with its configuration, origin, status and errors;
 * and every problem found. The API and the dashboard render it, {@code check} and the log count it.
 */
public final class RuntimeModel {

    public static final RuntimeModel EMPTY = new RuntimeModel(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(),
            List.of());

    private final SortedMap<String, RouterInfo> routers;
    private final SortedMap<String, ServiceInfo> services;
    private final SortedMap<String, MiddlewareInfo> middlewares;
    private final List<ConfigProblem> problems;

    private RuntimeModel(SortedMap<String, RouterInfo> routers, SortedMap<String, ServiceInfo> services,
            SortedMap<String, MiddlewareInfo> middlewares, List<ConfigProblem> problems) {
        this.routers = Collections.unmodifiableSortedMap(routers);
        this.services = Collections.unmodifiableSortedMap(services);
        this.middlewares = Collections.unmodifiableSortedMap(middlewares);
        this.problems = List.copyOf(problems);
    }

    /**
     * @param configuration what the providers published, bound
     * @param routerNames the names of its routers, in order
     * @param served the routers that were built (they serve), by qualified name
     * @param problems every problem found, from binding to the last stage of the build
     * @param built the services that were built, by qualified name
     * @param middlewareUsers by middleware, the routers that use it
     * @param internalServices the gateway's own services ({@code api@internal}, {@code noop@internal}...), listed
     *     as Traefik lists them: enabled, by the routers that use them
     */
    static RuntimeModel of(BoundConfiguration configuration, List<String> routerNames, Set<String> served,
            List<ConfigProblem> problems, Map<String, ServiceHandler> built, Map<String, List<String>> middlewareUsers,
            Set<String> internalServices) {
        Map<ConfigElement, List<ConfigProblem>> bySubject = new HashMap<>();
        problems.forEach(problem -> bySubject.computeIfAbsent(problem.subject(), s -> new ArrayList<>()).add(problem));

        // In name order: the routers' map is then built without comparing names, and each service's users come sorted.
        List<RouterInfo> routerInfos = new ArrayList<>(routerNames.size());
        Map<String, List<String>> serviceUsers = new HashMap<>();
        for (String name : routerNames) {
            Defined<RouterConfig> defined = configuration.routers().get(name);
            List<ConfigProblem> errors = bySubject.getOrDefault(ConfigElement.router(name), List.of());
            // As Traefik: a router that serves with a problem (an entry point that does not exist among others, a
            // certificate resolver that is not configured) is in warning.
            Status status = !served.contains(name) ? Status.DISABLED
                    : errors.isEmpty() ? Status.ENABLED : Status.WARNING;
            routerInfos.add(new RouterInfo(name, defined.value(), origin(defined), status, errors));
            RouterConfig router = defined.value();
            if (router.service() != null && !router.service().isBlank()) {
                serviceUsers.computeIfAbsent(qualify(router.service(), defined.provider()), s -> new ArrayList<>())
                        .add(name);
            }
        }
        SortedMap<String, RouterInfo> routers = SortedKeys.treeMap(routerNames, routerInfos);
        SortedMap<String, ServiceInfo> services = new TreeMap<>();
        configuration.services().forEach((name, defined) -> services.put(name, new ServiceInfo(name, defined.value(),
                origin(defined), bySubject.getOrDefault(ConfigElement.service(name), List.of()),
                List.copyOf(serviceUsers.getOrDefault(name, List.of())), built.get(name))));
        internalServices.forEach(name -> services.putIfAbsent(name, new ServiceInfo(name, null,
                new ElementOrigin(ServiceInfo.INTERNAL_PROVIDER, null), List.of(),
                List.copyOf(serviceUsers.getOrDefault(name, List.of())), null)));
        SortedMap<String, MiddlewareInfo> middlewares = new TreeMap<>();
        configuration.middlewares().forEach((name, defined) -> middlewares.put(name, new MiddlewareInfo(name,
                defined.value(), origin(defined), bySubject.getOrDefault(ConfigElement.middleware(name), List.of()),
                middlewareUsers.getOrDefault(name, List.of()))));

        // Elements that could not be read (a mistyped key, two different definitions) are not in the bound
        // configuration, but they were published: they are disabled, with what is wrong with them.
        bySubject.forEach((subject, errors) -> {
            ElementOrigin origin = new ElementOrigin(subject.provider(), errors.get(0).origin());
            switch (subject.type()) {
                case ROUTER -> routers.computeIfAbsent(subject.name(),
                        name -> new RouterInfo(name, null, origin, Status.DISABLED, errors));
                case SERVICE -> services.computeIfAbsent(subject.name(), name -> new ServiceInfo(name, null, origin,
                        errors, List.copyOf(serviceUsers.getOrDefault(name, List.of())), null));
                case MIDDLEWARE -> middlewares.computeIfAbsent(subject.name(), name -> new MiddlewareInfo(name, null,
                        origin, errors, middlewareUsers.getOrDefault(name, List.of())));
                default -> {
                }
            }
        });
        return new RuntimeModel(routers, services, middlewares, problems);
    }

    private static ElementOrigin origin(Defined<?> defined) {
        return new ElementOrigin(defined.provider(), defined.origin());
    }

    /** Every router by qualified name, sorted. */
    public SortedMap<String, RouterInfo> routers() {
        return routers;
    }

    /** The router of that qualified name, or null. */
    public RouterInfo router(String name) {
        return routers.get(name);
    }

    /** Every service by qualified name, sorted. */
    public SortedMap<String, ServiceInfo> services() {
        return services;
    }

    public ServiceInfo service(String name) {
        return services.get(name);
    }

    /** Every middleware by qualified name, sorted. */
    public SortedMap<String, MiddlewareInfo> middlewares() {
        return middlewares;
    }

    public MiddlewareInfo middleware(String name) {
        return middlewares.get(name);
    }

    /** Every problem, in the order found: those of the elements above, and those of sources, keys and hosts. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    /** The problems about one element. */
    public List<ConfigProblem> problems(ConfigElement subject) {
        return problems.stream().filter(problem -> problem.subject().equals(subject)).toList();
    }

    /** The user's routers (not the gateway's own {@code @internal} ones) by status, as the log and check say them. */
    public RouterCounts routerCounts() {
        int enabled = 0;
        int warning = 0;
        int disabled = 0;
        for (RouterInfo router : routers.values()) {
            if (router.internal()) {
                continue;
            }
            switch (router.status()) {
                case ENABLED -> enabled++;
                case WARNING -> warning++;
                case DISABLED -> disabled++;
            }
        }
        return new RouterCounts(enabled + warning, warning, disabled);
    }

    /**
     * @param serving the routers that serve, with or without warnings
     * @param warning those of them that serve with warnings
     * @param disabled the routers that do not serve
     */
    public record RouterCounts(int serving, int warning, int disabled) {

        /** {@code 3 router(s) enabled (1 with warnings), 1 disabled}. */
        @Override
        public String toString() {
            return serving + " router(s) enabled (" + warning + " with warnings), " + disabled + " disabled";
        }
    }
}
