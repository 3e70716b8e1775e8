package dev.gatehouse.core.udp;

import static dev.gatehouse.core.dynamic.ElementNames.qualify;

import dev.gatehouse.core.config.dynamic.udp.UdpRouterConfig;
import dev.gatehouse.core.config.dynamic.udp.UdpServiceConfig;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.dynamic.UdpDefinitions;
import dev.gatehouse.core.runtime.ElementOrigin;
import dev.gatehouse.core.runtime.Status;
import dev.gatehouse.core.udp.UdpTarget.UdpServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The UDP routers and services of one configuration, built: for each UDP entry point the route its new sessions
 * take, and what came of each element ({@link #routers()}, {@link #services()}) for the API. A problem disables the
 * element it is in and the routers that depend on it, and nothing else.
 *
 * <p>As in Traefik: a router without {@code entryPoints} serves every UDP entry point; a UDP entry point serves one
 * router, and when several name it the last by name (Z before A) that could be built serves it.
 */
public final class UdpRouting {

    public static final UdpRouting EMPTY = new UdpRouting(Map.of(), new TreeMap<>(), new TreeMap<>(), List.of());

    private final Map<String, Route> routes;
    private final SortedMap<String, UdpRouterInfo> routers;
    private final SortedMap<String, UdpServiceInfo> services;
    private final List<ConfigProblem> problems;

    private UdpRouting(Map<String, Route> routes, SortedMap<String, UdpRouterInfo> routers,
            SortedMap<String, UdpServiceInfo> services, List<ConfigProblem> problems) {
        this.routes = Map.copyOf(routes);
        this.routers = java.util.Collections.unmodifiableSortedMap(routers);
        this.services = java.util.Collections.unmodifiableSortedMap(services);
        this.problems = List.copyOf(problems);
    }

    /**
     * Where an entry point's new sessions go.
     *
     * @param router the router that serves the entry point
     * @param target what picks the server of a new session
     * @param addresses every server the route can pick: a session to one of them outlives a reload
     */
    record Route(String router, UdpTarget target, Set<String> addresses) {
    }

    /**
     * @param udp the bound {@code udp} sections
     * @param bindingProblems the problems found while binding; those about UDP routers and services are shown on them
     * @param udpEntryPoints the UDP entry points, by name
     * @param tcpEntryPoints the names of the other entry points, to say that a router names one of them
     */
    public static UdpRouting build(UdpDefinitions udp, List<ConfigProblem> bindingProblems,
            Map<String, UdpEntryPointSpec> udpEntryPoints, Collection<String> tcpEntryPoints) {
        return new Builder(udp, udpEntryPoints, tcpEntryPoints).build(bindingProblems);
    }

    /** The route of an entry point, or null when no router serves it. */
    Route route(String entryPoint) {
        return routes.get(entryPoint);
    }

    /** Every UDP router by qualified name, sorted, including those that could not be read. */
    public SortedMap<String, UdpRouterInfo> routers() {
        return routers;
    }

    /** Every UDP service by qualified name, sorted, including those that could not be read. */
    public SortedMap<String, UdpServiceInfo> services() {
        return services;
    }

    /** {@code 1 UDP router(s) enabled (0 with warnings), 1 disabled}, as the log says it after a reload. */
    public String routerCounts() {
        long warning = routers.values().stream().filter(r -> r.status() == Status.WARNING).count();
        long disabled = routers.values().stream().filter(r -> r.status() == Status.DISABLED).count();
        return (routers.size() - disabled) + " UDP router(s) enabled (" + warning + " with warnings), " + disabled
                + " disabled";
    }

    /** The problems found when building (those found when binding are in the bound configuration's). */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static final class Builder {
        private final UdpDefinitions udp;
        private final Map<String, UdpEntryPointSpec> udpEntryPoints;
        private final Collection<String> tcpEntryPoints;
        private final List<ConfigProblem> problems = new ArrayList<>();
        /** Services built, or null for those that could not be. */
        private final Map<String, UdpTarget> built = new HashMap<>();
        private final Set<String> disabledServices = new HashSet<>();
        private final Map<String, Set<String>> serviceUsers = new HashMap<>();

        Builder(UdpDefinitions udp, Map<String, UdpEntryPointSpec> udpEntryPoints, Collection<String> tcpEntryPoints) {
            this.udp = udp;
            this.udpEntryPoints = udpEntryPoints;
            this.tcpEntryPoints = tcpEntryPoints;
        }

        UdpRouting build(List<ConfigProblem> bindingProblems) {
            // Router name -> the entry points it asks for that exist, in its order.
            Map<String, UdpTarget> routerTargets = new HashMap<>();
            Map<String, List<String>> routerEntryPoints = new HashMap<>();
            Set<String> disabledRouters = new HashSet<>();
            udp.routers().forEach((name, defined) -> {
                UdpRouterConfig router = defined.value();
                List<String> entryPoints = entryPoints(name, defined);
                routerEntryPoints.put(name, entryPoints);
                if (entryPoints.isEmpty()) {
                    disabledRouters.add(name);
                }
                if (router.service() == null || router.service().isBlank()) {
                    problem(ConfigElement.Type.UDP_ROUTER, name, defined, ProblemKind.INVALID,
                            "the service is missing: add service: <a UDP service>");
                    disabledRouters.add(name);
                    return;
                }
                String service = qualify(router.service(), defined.provider());
                serviceUsers.computeIfAbsent(service, s -> new TreeSet<>()).add(name);
                UdpTarget target = service(service, new LinkedHashSet<>());
                if (target == null) {
                    problem(ConfigElement.Type.UDP_ROUTER, name, defined, ProblemKind.MISSING_SERVICE,
                            udp.services().containsKey(service)
                                    ? "its UDP service '" + service + "' has errors: see that service"
                                    : "the UDP service '" + service + "' does not exist" + known(udp.services().keySet()));
                    disabledRouters.add(name);
                    return;
                }
                routerTargets.put(name, target);
            });

            // Each entry point takes one router: the last by name that could be built, as Traefik.
            Map<String, Route> routes = new LinkedHashMap<>();
            Map<String, List<String>> using = new HashMap<>();
            List<String> byNameDescending = new ArrayList<>(routerTargets.keySet());
            byNameDescending.sort(Comparator.reverseOrder());
            for (String name : byNameDescending) {
                for (String entryPoint : routerEntryPoints.get(name)) {
                    Route taken = routes.get(entryPoint);
                    if (taken != null) {
                        problem(ConfigElement.Type.UDP_ROUTER, name, udp.routers().get(name), ProblemKind.ENTRY_POINT,
                                "entry point '" + entryPoint + "' serves one UDP router, and serves '" + taken.router()
                                        + "' (the last by name, as in Traefik): this router is not used there");
                        continue;
                    }
                    Set<String> addresses = new TreeSet<>();
                    routerTargets.get(name).collectAddresses(addresses);
                    routes.put(entryPoint, new Route(name, routerTargets.get(name), addresses));
                    using.computeIfAbsent(name, n -> new ArrayList<>()).add(entryPoint);
                }
                if (!using.containsKey(name)) {
                    disabledRouters.add(name);
                }
            }
            return new UdpRouting(routes, routerInfos(bindingProblems, disabledRouters, using),
                    serviceInfos(bindingProblems), problems);
        }

        /** The router's entry points that are UDP ones; a problem for each that is not. */
        private List<String> entryPoints(String name, Defined<UdpRouterConfig> defined) {
            List<String> wanted = defined.value().entryPoints();
            if (wanted.isEmpty()) {
                if (udpEntryPoints.isEmpty()) {
                    problem(ConfigElement.Type.UDP_ROUTER, name, defined, ProblemKind.ENTRY_POINT, "there is no UDP "
                            + "entry point to serve: add one to the static configuration, such as "
                            + "entryPoints.dns.address: \":53/udp\"");
                }
                return new ArrayList<>(udpEntryPoints.keySet());
            }
            List<String> found = new ArrayList<>();
            for (String entryPoint : wanted) {
                if (udpEntryPoints.containsKey(entryPoint)) {
                    found.add(entryPoint);
                } else if (tcpEntryPoints.contains(entryPoint)) {
                    problem(ConfigElement.Type.UDP_ROUTER, name, defined, ProblemKind.ENTRY_POINT, "entry point '"
                            + entryPoint + "' is not a UDP entry point: a UDP router serves entry points whose address "
                            + "ends in /udp (such as \":53/udp\")" + udpKnown());
                } else {
                    problem(ConfigElement.Type.UDP_ROUTER, name, defined, ProblemKind.ENTRY_POINT, "entry point '"
                            + entryPoint + "' does not exist" + udpKnown());
                }
            }
            if (found.isEmpty()) {
                problem(ConfigElement.Type.UDP_ROUTER, name, defined, ProblemKind.ENTRY_POINT,
                        "no UDP entry point to serve: the router is not used");
            }
            return found;
        }

        private String udpKnown() {
            return udpEntryPoints.isEmpty() ? " (there is no UDP entry point)"
                    : " (UDP entry points: " + String.join(", ", udpEntryPoints.keySet()) + ")";
        }

        private static String known(Collection<String> names) {
            return names.isEmpty() ? " (there is no UDP service)" : " (known: " + String.join(", ", new TreeSet<>(names)) + ")";
        }

        /** The built service, or null when it does not exist or has errors (reported on it). */
        private UdpTarget service(String name, Set<String> path) {
            if (built.containsKey(name)) {
                return built.get(name);
            }
            Defined<UdpServiceConfig> defined = udp.services().get(name);
            if (defined == null) {
                return null;
            }
            if (!path.add(name)) {
                problem(ConfigElement.Type.UDP_SERVICE, name, defined, ProblemKind.INVALID,
                        "its weighted services lead back to it: " + String.join(" -> ", path) + " -> " + name);
                return null;
            }
            UdpServiceConfig config = defined.value();
            UdpTarget target;
            if ((config.loadBalancer() == null) == (config.weighted() == null)) {
                problem(ConfigElement.Type.UDP_SERVICE, name, defined, ProblemKind.INVALID,
                        "a UDP service has exactly one of loadBalancer and weighted");
                target = null;
            } else if (config.loadBalancer() != null) {
                target = loadBalancer(name, defined);
            } else {
                target = weighted(name, defined, path);
            }
            path.remove(name);
            if (target == null) {
                disabledServices.add(name);
            }
            built.put(name, target);
            return target;
        }

        private UdpTarget loadBalancer(String name, Defined<UdpServiceConfig> defined) {
            List<UdpTarget> servers = new ArrayList<>();
            List<UdpServiceConfig.Server> configured = defined.value().loadBalancer().servers();
            for (int i = 0; i < configured.size(); i++) {
                String address = configured.get(i) == null ? null : configured.get(i).address();
                String invalid = invalidAddress(address);
                if (invalid != null) {
                    problem(ConfigElement.Type.UDP_SERVICE, name, defined, ProblemKind.INVALID,
                            "loadBalancer.servers[" + i + "]: " + invalid);
                    return null;
                }
                InetSocketAddress resolved = resolve(address);
                if (resolved.isUnresolved()) {
                    // Left out until a reload finds it; the others serve.
                    problem(ConfigElement.Type.UDP_SERVICE, name, defined, ProblemKind.INVALID,
                            "loadBalancer.servers[" + i + "]: the host of '" + address + "' could not be resolved; "
                                    + "the server is left out until the configuration is applied again");
                    continue;
                }
                servers.add(new UdpServer(address.strip(), resolved));
            }
            if (servers.isEmpty()) {
                problem(ConfigElement.Type.UDP_SERVICE, name, defined, ProblemKind.INVALID,
                        "the load balancer has no server: its sessions are dropped");
            }
            return new UdpTarget.Turn(servers, servers.stream().map(s -> 1).toList());
        }

        private UdpTarget weighted(String name, Defined<UdpServiceConfig> defined, Set<String> path) {
            List<UdpTarget> targets = new ArrayList<>();
            List<Integer> weights = new ArrayList<>();
            for (UdpServiceConfig.WeightedService child : defined.value().weighted().services()) {
                if (child == null || child.name() == null || child.name().isBlank()) {
                    problem(ConfigElement.Type.UDP_SERVICE, name, defined, ProblemKind.INVALID,
                            "weighted.services: each entry needs a name");
                    return null;
                }
                if (child.weightOrDefault() < 0) {
                    problem(ConfigElement.Type.UDP_SERVICE, name, defined, ProblemKind.INVALID,
                            "weighted.services: the weight of '" + child.name() + "' is negative");
                    return null;
                }
                String childName = qualify(child.name(), defined.provider());
                serviceUsers.computeIfAbsent(childName, s -> new TreeSet<>()).add(name);
                UdpTarget target = service(childName, path);
                if (target == null) {
                    problem(ConfigElement.Type.UDP_SERVICE, name, defined, ProblemKind.MISSING_SERVICE,
                            udp.services().containsKey(childName)
                                    ? "its UDP service '" + childName + "' has errors: see that service"
                                    : "the UDP service '" + childName + "' does not exist"
                                            + known(udp.services().keySet()));
                    return null;
                }
                targets.add(target);
                weights.add(child.weightOrDefault());
            }
            if (weights.stream().allMatch(w -> w == 0)) {
                problem(ConfigElement.Type.UDP_SERVICE, name, defined, ProblemKind.INVALID,
                        "every weight is 0 (or there is no service): its sessions are dropped");
            }
            return new UdpTarget.Turn(targets, weights);
        }

        /** Why a server address is not {@code host:port}, or null when it is. */
        private static String invalidAddress(String address) {
            if (address == null || address.isBlank()) {
                return "the address is missing (expected host:port, such as 10.0.0.53:53)";
            }
            String a = address.strip();
            int colon = a.lastIndexOf(':');
            String host = colon < 0 ? "" : a.substring(0, colon);
            String port = colon < 0 ? "" : a.substring(colon + 1);
            if (colon <= 0 || port.isEmpty() || !port.chars().allMatch(Character::isDigit) || port.length() > 5
                    || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                return "'" + address + "' is not host:port with a port from 1 to 65535 (such as 10.0.0.53:53)";
            }
            if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]"))) {
                return "'" + address + "': write an IPv6 address in brackets, such as [fd00::53]:53";
            }
            return null;
        }

        private static InetSocketAddress resolve(String address) {
            String a = address.strip();
            int colon = a.lastIndexOf(':');
            String host = a.substring(0, colon);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
            }
            return new InetSocketAddress(host, Integer.parseInt(a.substring(colon + 1)));
        }

        private void problem(ConfigElement.Type type, String name, Defined<?> defined, ProblemKind kind, String message) {
            problems.add(new ConfigProblem(new ConfigElement(type, name), defined.origin(), kind, message));
        }

        private Map<ConfigElement, List<ConfigProblem>> bySubject(List<ConfigProblem> bindingProblems) {
            Map<ConfigElement, List<ConfigProblem>> bySubject = new LinkedHashMap<>();
            List<ConfigProblem> all = new ArrayList<>(bindingProblems);
            all.addAll(problems);
            all.forEach(p -> bySubject.computeIfAbsent(p.subject(), s -> new ArrayList<>()).add(p));
            return bySubject;
        }

        private SortedMap<String, UdpRouterInfo> routerInfos(List<ConfigProblem> bindingProblems,
                Set<String> disabled, Map<String, List<String>> using) {
            Map<ConfigElement, List<ConfigProblem>> bySubject = bySubject(bindingProblems);
            SortedMap<String, UdpRouterInfo> infos = new TreeMap<>();
            udp.routers().forEach((name, defined) -> {
                List<ConfigProblem> errors = bySubject.getOrDefault(new ConfigElement(ConfigElement.Type.UDP_ROUTER,
                        name), List.of());
                Status status = disabled.contains(name) ? Status.DISABLED
                        : errors.isEmpty() ? Status.ENABLED : Status.WARNING;
                infos.put(name, new UdpRouterInfo(name, defined.value(), origin(defined), status, errors,
                        using.getOrDefault(name, List.of())));
            });
            // Routers that could not be read (a mistyped key, two different definitions) were published too.
            bySubject.forEach((subject, errors) -> {
                if (subject.type() == ConfigElement.Type.UDP_ROUTER) {
                    infos.computeIfAbsent(subject.name(), name -> new UdpRouterInfo(name, null,
                            new ElementOrigin(subject.provider(), errors.get(0).origin()), Status.DISABLED, errors,
                            List.of()));
                }
            });
            return infos;
        }

        private SortedMap<String, UdpServiceInfo> serviceInfos(List<ConfigProblem> bindingProblems) {
            // Built even when no router uses them, so that their mistakes show now rather than when one does.
            udp.services().keySet().forEach(name -> service(name, new LinkedHashSet<>()));
            Map<ConfigElement, List<ConfigProblem>> bySubject = bySubject(bindingProblems);
            SortedMap<String, UdpServiceInfo> infos = new TreeMap<>();
            udp.services().forEach((name, defined) -> {
                List<ConfigProblem> errors = bySubject.getOrDefault(
                        new ConfigElement(ConfigElement.Type.UDP_SERVICE, name), List.of());
                Status status = disabledServices.contains(name) ? Status.DISABLED
                        : errors.isEmpty() ? Status.ENABLED : Status.WARNING;
                infos.put(name, new UdpServiceInfo(name, defined.value(), origin(defined), status, errors,
                        List.copyOf(serviceUsers.getOrDefault(name, Set.of()))));
            });
            bySubject.forEach((subject, errors) -> {
                if (subject.type() == ConfigElement.Type.UDP_SERVICE) {
                    infos.computeIfAbsent(subject.name(), name -> new UdpServiceInfo(name, null,
                            new ElementOrigin(subject.provider(), errors.get(0).origin()), Status.DISABLED, errors,
                            List.copyOf(serviceUsers.getOrDefault(name, Set.of()))));
                }
            });
            return infos;
        }

        private static ElementOrigin origin(Defined<?> defined) {
            return new ElementOrigin(defined.provider(), defined.origin());
        }
    }
}
