package dev.gatehouse.core.tcp;

import dev.gatehouse.core.config.dynamic.RouterTlsConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpMiddlewareConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpRouterConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpServersTransportConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpServiceConfig;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.ElementNames;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.dynamic.TcpDefinitions;
import dev.gatehouse.core.router.RuleSyntaxException;
import dev.gatehouse.core.proxy.UpstreamTls;
import java.time.Duration;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Builds the TCP routers of one configuration, as Traefik's TCP router manager does: each router's rule,
 * middlewares and service, sorted into the entry points' routing. A problem disables the element it is in and
 * the routers that use it, and nothing else.
 */
public final class TcpRuntimeBuilder {

    /** Receives what a terminating router needs of the TLS set-up: its certificates' domains, options, resolver. */
    @FunctionalInterface
    public interface TlsDemands {
        /** @return what is wrong with the router's TLS settings (options that do not exist), or null when it is taken */
        String add(String router, RouterTlsConfig tls, String provider, Set<String> hosts);
    }

    /** What the HTTP routers over TLS of one entry point claim (see {@link TcpEntryPointRoutes}). */
    public record HttpTlsClaims(Set<String> hosts, boolean anyHost) {
        public static final HttpTlsClaims NONE = new HttpTlsClaims(Set.of(), false);
    }

    private final List<String> entryPoints;
    private final List<String> defaultEntryPoints;
    private final TcpRules rules;

    /** @param rules compiles the routers' rules with the TCP matchers of the plugins */
    public TcpRuntimeBuilder(List<String> entryPoints, List<String> defaultEntryPoints, TcpRules rules) {
        this.entryPoints = List.copyOf(entryPoints);
        this.defaultEntryPoints = List.copyOf(defaultEntryPoints);
        this.rules = rules;
    }

    /**
     * @param httpTls what each entry point's HTTP routers over TLS claim, indexed like the entry points
     * @param served receives the names of the routers that serve
     */
    public TcpRouting build(TcpDefinitions tcp, List<HttpTlsClaims> httpTls, TlsDemands tlsDemands,
            List<ConfigProblem> problems, Set<String> served) {
        List<List<TcpRoute>> plain = new ArrayList<>();
        List<List<TcpRoute>> tls = new ArrayList<>();
        for (int i = 0; i < entryPoints.size(); i++) {
            plain.add(new ArrayList<>());
            tls.add(new ArrayList<>());
        }
        Services services = new Services(tcp, problems);
        Set<String> usedMiddlewares = new HashSet<>();
        Map<String, List<String>> using = new HashMap<>();
        Map<String, UnaryOperator<TcpHandler>> middlewares = new HashMap<>();
        new TreeMap<>(tcp.routers()).forEach((name, defined) -> {
            List<String> errors = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            TcpRoute route = buildRouter(name, defined, tcp, services, middlewares, usedMiddlewares, errors, problems);
            List<Integer> indexes = entryPointIndexes(defined.value(), warnings);
            if (indexes.isEmpty()) {
                errors.add("no valid entry point for this router" + (warnings.isEmpty() ? ""
                        : ": " + String.join("; ", warnings)));
                warnings.clear();
            }
            // As Traefik: an entry point that does not exist is a warning when the router serves on another.
            warnings.forEach(warning -> problems.add(new ConfigProblem(ConfigElement.tcpRouter(name), defined.origin(),
                    ProblemKind.INVALID, warning)));
            if (route != null && errors.isEmpty() && route.mode() == TcpRoute.Mode.TERMINATE) {
                String tlsProblem = tlsDemands.add(name, defined.value().tls().termination(), defined.provider(),
                        new LinkedHashSet<>(hostSniNames(defined.value())));
                if (tlsProblem != null) {
                    errors.add(tlsProblem);
                }
            }
            if (route == null || !errors.isEmpty()) {
                errors.forEach(error -> problems.add(new ConfigProblem(ConfigElement.tcpRouter(name), defined.origin(),
                        ProblemKind.INVALID, error)));
                return;
            }
            for (int index : indexes) {
                (route.mode() == TcpRoute.Mode.PLAIN ? plain : tls).get(index).add(route);
                using.computeIfAbsent(name, n -> new ArrayList<>()).add(entryPoints.get(index));
            }
            served.add(name);
        });
        checkUnused(tcp, services, usedMiddlewares, problems);
        List<TcpEntryPointRoutes> routes = new ArrayList<>();
        for (int i = 0; i < entryPoints.size(); i++) {
            plain.get(i).sort(TcpRoute.ORDER);
            tls.get(i).sort(TcpRoute.ORDER);
            HttpTlsClaims claims = i < httpTls.size() ? httpTls.get(i) : HttpTlsClaims.NONE;
            routes.add(plain.get(i).isEmpty() && tls.get(i).isEmpty() ? TcpEntryPointRoutes.NONE
                    : new TcpEntryPointRoutes(plain.get(i), tls.get(i), claims.hosts(), claims.anyHost()));
        }
        return new TcpRouting(routes, model(tcp, problems, using, served));
    }

    /** What the API shows: every element with the problems found on it (while binding it too) and its users. */
    private static TcpModel model(TcpDefinitions tcp, List<ConfigProblem> problems, Map<String, List<String>> using,
            Set<String> served) {
        Map<ConfigElement, List<String>> errors = new HashMap<>();
        Map<ConfigElement, String> origins = new HashMap<>();
        for (ConfigProblem problem : problems) {
            errors.computeIfAbsent(problem.subject(), s -> new ArrayList<>()).add(problem.message());
            origins.putIfAbsent(problem.subject(), problem.origin());
        }
        Map<String, Set<String>> usedBy = new HashMap<>();
        tcp.routers().forEach((name, defined) -> {
            TcpRouterConfig router = defined.value();
            if (router.service() != null && !router.service().isBlank()) {
                usedBy.computeIfAbsent(ElementNames.qualify(router.service(), defined.provider()),
                        n -> new java.util.TreeSet<>()).add(name);
            }
            router.middlewares().forEach(m -> usedBy.computeIfAbsent(ElementNames.qualify(m, defined.provider()),
                    n -> new java.util.TreeSet<>()).add(name));
        });
        tcp.services().forEach((name, defined) -> {
            if (defined.value().weighted() != null) {
                defined.value().weighted().services().forEach(child -> {
                    if (child.name() != null) {
                        usedBy.computeIfAbsent(ElementNames.qualify(child.name(), defined.provider()),
                                n -> new java.util.TreeSet<>()).add(name);
                    }
                });
            }
        });
        Map<String, TcpModel.Element> routers = new TreeMap<>();
        Map<String, TcpModel.Element> services = new TreeMap<>();
        Map<String, TcpModel.Element> middlewares = new TreeMap<>();
        tcp.routers().forEach((name, defined) -> {
            List<String> found = errors.getOrDefault(ConfigElement.tcpRouter(name), List.of());
            routers.put(name, new TcpModel.Element(defined.value(), defined.provider(), defined.origin(),
                    served.contains(name), found, using.getOrDefault(name, List.of())));
        });
        tcp.services().forEach((name, defined) -> services.put(name, element(defined,
                errors.get(ConfigElement.tcpService(name)), List.copyOf(usedBy.getOrDefault(name, Set.of())))));
        tcp.middlewares().forEach((name, defined) -> middlewares.put(name, element(defined,
                errors.get(new ConfigElement(ConfigElement.Type.TCP_MIDDLEWARE, name)),
                List.copyOf(usedBy.getOrDefault(name, Set.of())))));
        // Elements that could not be read are not in the definitions, but were published: disabled, with why.
        errors.forEach((subject, messages) -> {
            Map<String, TcpModel.Element> target = switch (subject.type()) {
                case TCP_ROUTER -> routers;
                case TCP_SERVICE -> services;
                case TCP_MIDDLEWARE -> middlewares;
                default -> null;
            };
            if (target != null) {
                target.computeIfAbsent(subject.name(), n -> new TcpModel.Element(null, subject.provider(),
                        origins.get(subject), false, messages, List.of()));
            }
        });
        return new TcpModel(new TreeMap<>(routers), new TreeMap<>(services), new TreeMap<>(middlewares));
    }

    private static TcpModel.Element element(Defined<?> defined, List<String> errors, List<String> related) {
        List<String> found = errors == null ? List.of() : errors;
        return new TcpModel.Element(defined.value(), defined.provider(), defined.origin(), found.isEmpty(), found,
                related);
    }

    private static List<String> hostSniNames(TcpRouterConfig router) {
        return TcpRules.hostSniNames(router.rule());
    }

    private TcpRoute buildRouter(String name, Defined<TcpRouterConfig> defined, TcpDefinitions tcp, Services services,
            Map<String, UnaryOperator<TcpHandler>> middlewares, Set<String> usedMiddlewares, List<String> errors,
            List<ConfigProblem> problems) {
        TcpRouterConfig router = defined.value();
        if (router.rule() == null || router.rule().isBlank()) {
            errors.add("the router has no rule: give one such as HostSNI(`*`)");
            return null;
        }
        if (router.service() == null || router.service().isBlank()) {
            errors.add("the service is missing on the router: name a TCP service");
            return null;
        }
        if (router.ruleSyntax() != null && !router.ruleSyntax().isBlank() && !router.ruleSyntax().equals("v3")) {
            errors.add("ruleSyntax '" + router.ruleSyntax() + "' is not supported for TCP routers; only v3 is");
            return null;
        }
        TcpRules.Compiled rule;
        try {
            rule = rules.compile(router.rule());
        } catch (RuleSyntaxException e) {
            errors.add("invalid rule " + router.rule() + ": " + e.getMessage());
            return null;
        }
        boolean namesHosts = rule.hostSniNames().stream().anyMatch(host -> !host.equals("*"));
        if (router.tls() == null && namesHosts) {
            errors.add("the rule " + router.rule() + " names a server name (HostSNI), which only TLS connections carry: "
                    + "add tls (tls: {} to terminate, tls: {passthrough: true} to pass through), or use HostSNI(`*`)");
            return null;
        }
        String serviceName = ElementNames.qualify(router.service(), defined.provider());
        TcpHandler handler = services.handler(serviceName);
        if (handler == null) {
            errors.add(tcp.services().containsKey(serviceName)
                    ? "its TCP service " + serviceName + " is not available (see that service's error)"
                    : "TCP service " + serviceName + " does not exist");
            return null;
        }
        List<String> chain = router.middlewares();
        for (int i = chain.size() - 1; i >= 0; i--) {
            String middlewareName = ElementNames.qualify(chain.get(i), defined.provider());
            Defined<TcpMiddlewareConfig> middleware = tcp.middlewares().get(middlewareName);
            if (middleware == null) {
                errors.add("TCP middleware " + middlewareName + " does not exist");
                return null;
            }
            usedMiddlewares.add(middlewareName);
            UnaryOperator<TcpHandler> wrapper = middlewares.computeIfAbsent(middlewareName, n -> {
                try {
                    return TcpMiddlewares.of(n, middleware.value());
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(new ConfigElement(ConfigElement.Type.TCP_MIDDLEWARE, n),
                            middleware.origin(), ProblemKind.INVALID, e.getMessage()));
                    return null;
                }
            });
            if (wrapper == null) {
                errors.add("its TCP middleware " + middlewareName + " is not available (see that middleware's error)");
                return null;
            }
            handler = wrapper.apply(handler);
        }
        TcpRoute.Mode mode = router.tls() == null ? TcpRoute.Mode.PLAIN
                : router.tls().isPassthrough() ? TcpRoute.Mode.PASSTHROUGH : TcpRoute.Mode.TERMINATE;
        // HostSNI(`*`) alone defaults to the lowest priority, so that every other router is tried first (Traefik).
        int priority = router.priority() != null && router.priority() != 0 ? router.priority()
                : rule.catchAll() ? -1 : router.effectivePriority();
        return new TcpRoute(name, priority, rule.predicate(), rule.catchAll(), mode, handler);
    }

    private List<Integer> entryPointIndexes(TcpRouterConfig router, List<String> errors) {
        List<String> names = router.entryPoints().isEmpty() ? defaultEntryPoints : router.entryPoints();
        List<Integer> indexes = new ArrayList<>();
        for (String name : names) {
            int index = entryPoints.indexOf(name);
            if (index < 0) {
                errors.add("entry point '" + name + "' does not exist (known: " + String.join(", ", entryPoints) + ")");
            } else if (!indexes.contains(index)) {
                indexes.add(index);
            }
        }
        return indexes;
    }

    /** Services and transports that no router uses are still checked, so that their mistakes show before use. */
    private static void checkUnused(TcpDefinitions tcp, Services services, Set<String> usedMiddlewares,
            List<ConfigProblem> problems) {
        new TreeMap<>(tcp.services()).keySet().forEach(services::handler);
        new TreeMap<>(tcp.middlewares()).forEach((name, defined) -> {
            if (!usedMiddlewares.contains(name)) {
                try {
                    TcpMiddlewares.of(name, defined.value());
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(new ConfigElement(ConfigElement.Type.TCP_MIDDLEWARE, name),
                            defined.origin(), ProblemKind.INVALID, e.getMessage()));
                }
            }
        });
    }

    /** The TCP services, each built once, on first use; a problem is reported once, on the service. */
    private static final class Services {
        private final TcpDefinitions tcp;
        private final List<ConfigProblem> problems;
        private final Map<String, TcpHandler> built = new HashMap<>();
        private final Set<String> failed = new HashSet<>();
        private final Set<String> building = new HashSet<>();

        Services(TcpDefinitions tcp, List<ConfigProblem> problems) {
            this.tcp = tcp;
            this.problems = problems;
        }

        /** The service's handler, or null when it does not exist or cannot be built. */
        TcpHandler handler(String name) {
            TcpHandler handler = built.get(name);
            if (handler != null || failed.contains(name)) {
                return handler;
            }
            Defined<TcpServiceConfig> defined = tcp.services().get(name);
            if (defined == null) {
                return null;
            }
            if (!building.add(name)) {
                fail(name, defined, "weighted services refer to each other in a loop through " + name);
                return null;
            }
            try {
                handler = build(name, defined);
            } catch (IllegalArgumentException e) {
                fail(name, defined, e.getMessage());
                return null;
            } finally {
                building.remove(name);
            }
            if (handler != null) {
                built.put(name, handler);
            }
            return handler;
        }

        private void fail(String name, Defined<TcpServiceConfig> defined, String message) {
            if (failed.add(name)) {
                problems.add(new ConfigProblem(ConfigElement.tcpService(name), defined.origin(), ProblemKind.INVALID,
                        message));
            }
        }

        private TcpHandler build(String name, Defined<TcpServiceConfig> defined) {
            TcpServiceConfig service = defined.value();
            if ((service.loadBalancer() == null) == (service.weighted() == null)) {
                throw new IllegalArgumentException("a TCP service is exactly one of loadBalancer or weighted");
            }
            if (service.weighted() != null) {
                if (service.weighted().services().isEmpty()) {
                    throw new IllegalArgumentException("weighted.services is empty: name the TCP services to share");
                }
                List<TcpHandler> children = new ArrayList<>();
                List<Integer> weights = new ArrayList<>();
                for (TcpServiceConfig.WeightedService child : service.weighted().services()) {
                    if (child.name() == null || child.name().isBlank()) {
                        throw new IllegalArgumentException("weighted.services: every entry needs a name");
                    }
                    if (child.weightOrDefault() < 0) {
                        throw new IllegalArgumentException("weighted.services: the weight of " + child.name()
                                + " is negative");
                    }
                    String childName = ElementNames.qualify(child.name(), defined.provider());
                    TcpHandler handler = handler(childName);
                    if (handler == null) {
                        throw new IllegalArgumentException(tcp.services().containsKey(childName)
                                ? "its TCP service " + childName + " is not available (see that service's error)"
                                : "TCP service " + childName + " does not exist");
                    }
                    children.add(handler);
                    weights.add(child.weightOrDefault());
                }
                if (weights.stream().allMatch(weight -> weight == 0)) {
                    throw new IllegalArgumentException("weighted.services: every weight is 0");
                }
                return new TcpServices.Weighted(children, weights);
            }
            TcpServiceConfig.LoadBalancer balancer = service.loadBalancer();
            TcpServices.Transport transport = transport(balancer, defined.provider());
            List<TcpServices.Server> servers = new ArrayList<>();
            for (int i = 0; i < balancer.servers().size(); i++) {
                TcpServiceConfig.Server server = balancer.servers().get(i);
                String key = "loadBalancer.servers[" + i + "].address";
                servers.add(address(server.address(), key, server.tlsOrDefault() ? tlsClient(transport) : null));
            }
            return new TcpServices.LoadBalancer(servers, transport);
        }

        private TcpServices.Transport transport(TcpServiceConfig.LoadBalancer balancer, String provider) {
            TcpServices.Transport transport = TcpServices.Transport.DEFAULT;
            if (balancer.serversTransport() != null && !balancer.serversTransport().isBlank()) {
                String name = ElementNames.qualify(balancer.serversTransport(), provider);
                Defined<TcpServersTransportConfig> defined = tcp.serversTransports().get(name);
                if (defined == null) {
                    throw new IllegalArgumentException("TCP serversTransport " + name + " does not exist (known: "
                            + (tcp.serversTransports().isEmpty() ? "none"
                            : String.join(", ", new TreeMap<>(tcp.serversTransports()).keySet())) + ")");
                }
                TcpServersTransportConfig config = defined.value();
                int version = config.proxyProtocol() == null ? 0 : proxyProtocolVersion(config.proxyProtocol());
                transport = new TcpServices.Transport(
                        config.dialTimeout() == null ? transport.dialTimeout() : config.dialTimeout(),
                        config.dialKeepAlive() == null || !config.dialKeepAlive().isNegative(),
                        config.terminationDelay() == null ? transport.terminationDelay() : config.terminationDelay(),
                        version, config.tls() == null ? null : tlsClient(name, config.tls()));
            }
            if (balancer.proxyProtocol() != null) {
                transport = new TcpServices.Transport(transport.dialTimeout(), transport.keepAlive(),
                        transport.terminationDelay(), proxyProtocolVersion(balancer.proxyProtocol()), transport.tls());
            }
            if (balancer.terminationDelay() != null) {
                transport = new TcpServices.Transport(transport.dialTimeout(), transport.keepAlive(),
                        Duration.ofMillis(balancer.terminationDelay()), transport.proxyProtocolVersion(), transport.tls());
            }
            return transport;
        }

        /** The TLS client of servers with {@code tls: true}: the transport's, else the JVM's authorities. */
        private SslContextFactory.Client tlsClient(TcpServices.Transport transport) {
            if (transport.tls() != null) {
                return transport.tls();
            }
            return tlsClient("(default)", new TcpServersTransportConfig.Tls(null, null, null, null));
        }

        /**
         * A started TLS client as an HTTP servers transport's is built. It holds no thread or socket: nothing to
         * stop when the configuration changes, and the tunnels that use it outlive any reload.
         */
        private static SslContextFactory.Client tlsClient(String transport, TcpServersTransportConfig.Tls tls) {
            try {
                SslContextFactory.Client client = UpstreamTls.of(tls.asHttpTransport());
                client.start();
                return client;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("TCP serversTransport " + transport + ": tls." + e.getMessage());
            } catch (Exception e) {
                throw new IllegalArgumentException("TCP serversTransport " + transport + ": tls cannot be set up: "
                        + e.getMessage());
            }
        }

        private static int proxyProtocolVersion(TcpServiceConfig.ProxyProtocol proxyProtocol) {
            int version = proxyProtocol.versionOrDefault();
            if (version != 1 && version != 2) {
                throw new IllegalArgumentException("proxyProtocol.version must be 1 or 2, not " + version);
            }
            return version;
        }

        /** {@code host:port}, {@code [::1]:port}; the port is required, as in Traefik. */
        private static TcpServices.Server address(String address, String key, SslContextFactory.Client tls) {
            if (address == null || address.isBlank()) {
                throw new IllegalArgumentException(key + " is missing: give host:port");
            }
            String text = address.strip();
            int colon = text.lastIndexOf(':');
            String host = colon < 0 ? "" : text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = -1;
            try {
                port = colon < 0 ? -1 : Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw new IllegalArgumentException(key + " '" + address + "' is not host:port (such as 10.0.0.5:5432)");
            }
            return new TcpServices.Server(host, port, tls);
        }
    }
}
