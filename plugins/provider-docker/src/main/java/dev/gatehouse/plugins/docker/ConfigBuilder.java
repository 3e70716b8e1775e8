package dev.gatehouse.plugins.docker;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Builds the provider's whole snapshot from the containers the engine reports, as Traefik's docker provider does:
 * one fragment per container (origin {@code container <name>}), an automatic service and router where the labels
 * define none, servers at the address and port chosen for the container, and the servers of several containers
 * that define the same service merged into that one service.
 *
 * <p>Pure: no engine, no clock, no I/O, so every rule of it is unit-tested from label maps.
 */
final class ConfigBuilder {

    static final String COMPOSE_PROJECT = "com.docker.compose.project";
    static final String COMPOSE_SERVICE = "com.docker.compose.service";

    private final DockerProviderConfig config;
    private final RuleTemplate defaultRule;
    private final Predicate<Map<String, String>> constraints;

    /**
     * @throws IllegalArgumentException when {@code defaultRule} or {@code constraints} cannot be parsed
     */
    ConfigBuilder(DockerProviderConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        try {
            this.defaultRule = RuleTemplate.parse(config.defaultRule());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("providers.docker.defaultRule: " + e.getMessage(), e);
        }
        try {
            this.constraints = Constraints.parse(config.constraints());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("providers.docker." + e.getMessage(), e);
        }
    }

    /**
     * The snapshot for {@code containers}.
     *
     * @param containers every running container the engine reports
     * @param gatewayNetworks networks of the gateway's own container (empty when it does not run in one)
     * @param hostAddress the address of containers with {@code network_mode: host}
     */
    ConfigurationSnapshot build(List<ContainerInfo> containers, Set<String> gatewayNetworks, String hostAddress) {
        List<ContainerInfo> sorted = new ArrayList<>(containers);
        sorted.sort(Comparator.comparing(ContainerInfo::name).thenComparing(ContainerInfo::id));
        Map<String, ContainerInfo> byIdOrName = new LinkedHashMap<>();
        for (ContainerInfo c : sorted) {
            byIdOrName.put(c.id(), c);
            byIdOrName.put(c.name(), c);
        }

        Map<String, Fragment> fragments = new LinkedHashMap<>();
        // service name -> (origin, service tree) of each container that defines it
        Map<String, List<Map.Entry<String, Map<String, Object>>>> services = new TreeMap<>();
        Map<String, List<Map.Entry<String, Map<String, Object>>>> tcpServices = new TreeMap<>();
        Map<String, List<Map.Entry<String, Map<String, Object>>>> udpServices = new TreeMap<>();
        for (ContainerInfo container : sorted) {
            Fragment fragment = buildContainer(container, byIdOrName, gatewayNetworks, hostAddress, services,
                    tcpServices, udpServices);
            if (fragment != null) {
                fragments.put(fragment.origin, fragment);
            }
        }

        List<ConfigurationFragment> merged = new ArrayList<>();
        mergeServices("http", services, fragments, merged);
        mergeServices("tcp", tcpServices, fragments, merged);
        mergeServices("udp", udpServices, fragments, merged);

        List<ConfigurationFragment> all = new ArrayList<>();
        for (Fragment f : fragments.values()) {
            all.add(f.toFragment());
        }
        all.addAll(merged);
        return new ConfigurationSnapshot(all);
    }

    /**
     * Services of one name defined by several containers (replicas): one service with all their servers when they
     * are alike apart from their servers, as Traefik merges them; else each stays with its container, and the gateway
     * reports the conflict naming every container that defines it.
     *
     * @param protocol {@code http}, {@code tcp} or {@code udp}
     */
    private static void mergeServices(String protocol, Map<String, List<Map.Entry<String, Map<String, Object>>>> services,
            Map<String, Fragment> fragments, List<ConfigurationFragment> merged) {
        for (Map.Entry<String, List<Map.Entry<String, Map<String, Object>>>> service : services.entrySet()) {
            List<Map.Entry<String, Map<String, Object>>> definitions = service.getValue();
            if (definitions.size() == 1 || !sameApartFromServers(definitions)) {
                for (Map.Entry<String, Map<String, Object>> d : definitions) {
                    fragments.get(d.getKey()).section(protocol + ".services").put(service.getKey(), d.getValue());
                }
                continue;
            }
            List<Object> servers = new ArrayList<>();
            List<String> origins = new ArrayList<>();
            for (Map.Entry<String, Map<String, Object>> d : definitions) {
                servers.addAll(servers(d.getValue()));
                origins.add(d.getKey().substring("container ".length()));
            }
            Map<String, Object> tree = copy(definitions.get(0).getValue());
            loadBalancer(tree).put("servers", servers);
            merged.add(ConfigurationFragment.of("containers " + String.join(", ", origins),
                    Map.of(protocol, Map.of("services", Map.of(service.getKey(), tree)))));
        }
    }

    private Fragment buildContainer(ContainerInfo container, Map<String, ContainerInfo> byIdOrName,
            Set<String> gatewayNetworks, String hostAddress,
            Map<String, List<Map.Entry<String, Map<String, Object>>>> services,
            Map<String, List<Map.Entry<String, Map<String, Object>>>> tcpServices,
            Map<String, List<Map.Entry<String, Map<String, Object>>>> udpServicesByName) {
        LabelParser.Parsed parsed = LabelParser.parse(container.labels());
        Fragment fragment = new Fragment("container " + container.name());
        fragment.errors.addAll(parsed.errors);
        if (parsed.unusable) {
            return fragment;
        }
        boolean enabled = parsed.enable != null ? parsed.enable : config.exposedByDefault();
        if (!enabled || !constraints.test(container.labels())) {
            return null;
        }
        boolean serving = container.serving();
        if (!serving && !config.allowEmptyServices()) {
            return null;
        }

        // TCP is passed on as written; the gateway says what it does not support. So is the default TLS
        // store (traefik.tls.stores.default.defaultgeneratedcert.resolver=...).
        for (String kind : List.of("tcp.routers", "tcp.services", "tcp.middlewares", "tls.stores")) {
            parsed.kind(kind).forEach((name, tree) -> fragment.section(kind).put(name, tree));
        }
        String tcpProblem = addTcpServers(container, fragment, serving, parsed.network != null ? parsed.network
                : config.network(), byIdOrName, gatewayNetworks, hostAddress);
        if (tcpProblem != null) {
            fragment.errors.add(tcpProblem);
        }
        // Load balancers go with the HTTP ones through the merge of replicas; weighted services stay here.
        Map<String, Object> ownTcpServices = fragment.sections.containsKey("tcp.services")
                ? fragment.section("tcp.services") : Map.of();
        for (String name : List.copyOf(ownTcpServices.keySet())) {
            if (ownTcpServices.get(name) instanceof Map<?, ?> tree && tree.containsKey("loadBalancer")) {
                tcpServices.computeIfAbsent(name, k -> new ArrayList<>()).add(Map.entry(fragment.origin, castMap(tree)));
                ownTcpServices.remove(name);
            }
        }
        Map<String, Map<String, Object>> udpRouters = new TreeMap<>(parsed.kind("udp.routers"));
        Map<String, Map<String, Object>> udpServices = new TreeMap<>(parsed.kind("udp.services"));
        UdpLabels.complete(udpRouters, udpServices, serviceName(container), serving, portLabel -> {
            String[] hostPort = new String[2];
            String problem = Addresses.choose(container, portLabel, parsed.network != null ? parsed.network
                    : config.network(), config.useBindPortIP(), byIdOrName, gatewayNetworks, hostAddress, hostPort,
                    fragment.errors);
            return new UdpLabels.Address(problem != null ? null : (hostPort[0].contains(":") ? "[" + hostPort[0] + "]"
                    : hostPort[0]) + ":" + hostPort[1], problem);
        }, fragment.errors);
        udpRouters.forEach((name, tree) -> fragment.section("udp.routers").put(name, tree));
        udpServices.forEach((name, tree) -> udpServicesByName.computeIfAbsent(name, k -> new ArrayList<>())
                .add(Map.entry(fragment.origin, tree)));
        Map<String, Map<String, Object>> routers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        routers.putAll(parsed.kind("http.routers"));
        Map<String, Map<String, Object>> ownServices = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ownServices.putAll(parsed.kind("http.services"));
        Map<String, Map<String, Object>> middlewares = parsed.kind("http.middlewares");
        for (String kind : parsed.elements.keySet()) {
            if (kind.startsWith("http.") && !List.of("http.routers", "http.services", "http.middlewares").contains(kind)) {
                parsed.kind(kind).forEach((name, tree) -> fragment.section(kind).put(name, tree));
            }
        }
        boolean tcpOrUdpOnly = routers.isEmpty() && ownServices.isEmpty() && middlewares.isEmpty()
                && parsed.elements.keySet().stream().anyMatch(k -> k.startsWith("tcp.") || k.startsWith("udp."));
        if (tcpOrUdpOnly) {
            return fragment;
        }

        String serviceName = serviceName(container);
        if (ownServices.isEmpty()) {
            ownServices.put(serviceName, new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
        }
        String network = parsed.network != null ? parsed.network : config.network();
        for (Map.Entry<String, Map<String, Object>> service : ownServices.entrySet()) {
            String problem = addServer(container, service.getValue(), serving, network, byIdOrName, gatewayNetworks,
                    hostAddress, fragment);
            if (problem != null) {
                fragment.errors.add("service '" + service.getKey() + "': " + problem + "; the service is left out");
                continue;
            }
            services.computeIfAbsent(service.getKey(), k -> new ArrayList<>())
                    .add(Map.entry(fragment.origin, service.getValue()));
        }

        if (routers.isEmpty()) {
            if (ownServices.size() == 1) {
                routers.put(serviceName, new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
            } else {
                fragment.errors.add("no router label and " + ownServices.size() + " services (" + String.join(", ",
                        ownServices.keySet()) + "): no router is made; add a router label naming its service");
            }
        }
        RuleTemplate.Model model = new RuleTemplate.Model(serviceName, container.name(), container.labels());
        for (Map.Entry<String, Map<String, Object>> entry : routers.entrySet()) {
            Map<String, Object> router = entry.getValue();
            if (!router.containsKey("rule")) {
                String rule = defaultRule.render(model);
                if (rule.isBlank()) {
                    fragment.errors.add("router '" + entry.getKey() + "': the default rule " + defaultRule.source()
                            + " gives an empty rule; the router is left out");
                    continue;
                }
                router.put("rule", rule);
            }
            if (!router.containsKey("service")) {
                if (ownServices.size() != 1) {
                    fragment.errors.add("router '" + entry.getKey() + "': no service label and " + ownServices.size()
                            + " services (" + String.join(", ", ownServices.keySet()) + "); the router is left out");
                    continue;
                }
                router.put("service", ownServices.keySet().iterator().next());
            }
            Object tls = router.get("tls");
            if (tls instanceof String flag) {
                if (flag.strip().equalsIgnoreCase("true")) {
                    router.put("tls", new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
                } else if (flag.strip().equalsIgnoreCase("false")) {
                    router.remove("tls");
                }
            }
            fragment.section("http.routers").put(entry.getKey(), router);
        }
        middlewares.forEach((name, tree) -> fragment.section("http.middlewares").put(name, tree));
        return fragment;
    }

    /**
     * Replaces {@code loadBalancer.server.port|scheme|url|weight|preservePath} by {@code loadBalancer.servers}: this
     * container's one server, or none when it may not get traffic. The service's own {@code middlewares} (Traefik
     * v3.7) are left as they are. Returns a problem, or null.
     */
    private String addServer(ContainerInfo container, Map<String, Object> service, boolean serving, String network,
            Map<String, ContainerInfo> byIdOrName, Set<String> gatewayNetworks, String hostAddress, Fragment fragment) {
        for (String key : service.keySet()) {
            if (!key.equalsIgnoreCase("loadBalancer") && !key.equalsIgnoreCase("middlewares")) {
                return "'" + key + "' is not a service type that Docker labels can define here (use loadbalancer)";
            }
        }
        Map<String, Object> lb = loadBalancer(service);
        Object serverObject = lb.remove("server");
        Map<String, Object> server = serverObject instanceof Map<?, ?> m ? castMap(m) : Map.of();
        if (serverObject != null && !(serverObject instanceof Map)) {
            return "label loadbalancer.server must have options (" + SERVER_OPTIONS + ")";
        }
        for (String key : server.keySet()) {
            if (!List.of("port", "scheme", "url", "weight", "preservepath").contains(key.toLowerCase(java.util.Locale.ROOT))) {
                return "unknown option loadbalancer.server." + key + " (known: " + SERVER_OPTIONS + ")";
            }
        }
        if (lb.containsKey("servers")) {
            return "loadbalancer.servers cannot be set by labels; use loadbalancer.server.port|scheme|url";
        }
        List<Object> servers = new ArrayList<>();
        if (serving) {
            Map<String, Object> entry = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            Object url = server.get("url");
            if (url != null) {
                entry.put("url", url);
            } else {
                String scheme = server.containsKey("scheme") ? String.valueOf(server.get("scheme")).strip() : "http";
                String portLabel = server.containsKey("port") ? String.valueOf(server.get("port")).strip() : null;
                String[] hostPort = new String[2];
                String problem = Addresses.choose(container, portLabel, network, config.useBindPortIP(), byIdOrName,
                        gatewayNetworks, hostAddress, hostPort, fragment.errors);
                if (problem != null) {
                    return problem;
                }
                String host = hostPort[0].contains(":") ? "[" + hostPort[0] + "]" : hostPort[0];
                entry.put("url", scheme + "://" + host + ":" + hostPort[1]);
            }
            if (server.containsKey("weight")) {
                entry.put("weight", server.get("weight"));
            }
            if (server.containsKey("preservePath")) {
                entry.put("preservePath", server.get("preservePath"));
            }
            servers.add(entry);
        }
        lb.put("servers", servers);
        return null;
    }

    /**
     * The container's TCP services as Traefik's Docker provider makes them: with TCP router labels and no TCP service
     * label, a service named after the container; each load balancer gets the one server the container is, at
     * {@code loadbalancer.server.port} (else its port, as for HTTP) with {@code loadbalancer.server.tls}; a router
     * without a service takes the container's only TCP service. Works on the sections passed on as written.
     *
     * @return why the TCP services could not be made, or null
     */
    private String addTcpServers(ContainerInfo container, Fragment fragment, boolean serving, String network,
            Map<String, ContainerInfo> byIdOrName, Set<String> gatewayNetworks, String hostAddress) {
        if (!fragment.sections.containsKey("tcp.routers") && !fragment.sections.containsKey("tcp.services")) {
            return null;
        }
        Map<String, Object> routers = fragment.section("tcp.routers");
        Map<String, Object> services = fragment.section("tcp.services");
        if (services.isEmpty()) {
            services.put(serviceName(container), new TreeMap<String, Object>(String.CASE_INSENSITIVE_ORDER));
        }
        for (Map.Entry<String, Object> entry : services.entrySet()) {
            if (!(entry.getValue() instanceof Map<?, ?> raw)) {
                return "TCP service '" + entry.getKey() + "' must have options (loadbalancer.server.port)";
            }
            Map<String, Object> service = castMap(raw);
            if (service.keySet().stream().anyMatch(key -> key.equalsIgnoreCase("weighted"))) {
                continue;   // a weighted TCP service names other services: no server of its own
            }
            Map<String, Object> lb = loadBalancer(service);
            Object serverObject = lb.remove("server");
            Map<String, Object> server = serverObject instanceof Map<?, ?> m ? castMap(m) : Map.of();
            for (String key : server.keySet()) {
                if (!List.of("port", "tls").contains(key.toLowerCase(java.util.Locale.ROOT))) {
                    return "TCP service '" + entry.getKey() + "': unknown option loadbalancer.server." + key
                            + " (known: port, tls)";
                }
            }
            List<Object> servers = new ArrayList<>();
            if (serving) {
                String portLabel = server.containsKey("port") ? String.valueOf(server.get("port")).strip() : null;
                String[] hostPort = new String[2];
                String problem = Addresses.choose(container, portLabel, network, config.useBindPortIP(), byIdOrName,
                        gatewayNetworks, hostAddress, hostPort, fragment.errors);
                if (problem != null) {
                    return "TCP service '" + entry.getKey() + "': " + problem;
                }
                Map<String, Object> address = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                String host = hostPort[0].contains(":") ? "[" + hostPort[0] + "]" : hostPort[0];
                address.put("address", host + ":" + hostPort[1]);
                if (server.containsKey("tls")) {
                    address.put("tls", server.get("tls"));
                }
                servers.add(address);
            }
            lb.put("servers", servers);
        }
        for (Map.Entry<String, Object> entry : routers.entrySet()) {
            if (entry.getValue() instanceof Map<?, ?> raw && !raw.containsKey("service")) {
                if (services.size() != 1) {
                    return "TCP router '" + entry.getKey() + "' names no service and the container has "
                            + services.size() + " TCP services: add traefik.tcp.routers." + entry.getKey() + ".service";
                }
                castMap(raw).put("service", services.keySet().iterator().next());
            }
        }
        return null;
    }

    /** The options of {@code loadbalancer.server}, as Traefik's labels have them. */
    private static final String SERVER_OPTIONS = "port, scheme, url, weight, preservepath";

    /** Traefik's service name of a container: compose {@code service_project}, else its name, normalised. */
    static String serviceName(ContainerInfo container) {
        String project = container.labels().get(COMPOSE_PROJECT);
        String service = container.labels().get(COMPOSE_SERVICE);
        String name = project != null && service != null ? service + "_" + project : container.name();
        return RuleTemplate.normalize(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> loadBalancer(Map<String, Object> service) {
        // Re-put under Traefik's spelling, whatever case the labels used: the tree reads as the file provider's.
        Object lb = service.remove("loadBalancer");
        service.put("loadBalancer", lb);
        if (!(lb instanceof Map)) {
            lb = new TreeMap<String, Object>(String.CASE_INSENSITIVE_ORDER);
            service.put("loadBalancer", lb);
        }
        return (Map<String, Object>) lb;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> servers(Map<String, Object> service) {
        Object servers = loadBalancer(service).get("servers");
        return servers instanceof List<?> list ? (List<Object>) list : List.of();
    }

    private static boolean sameApartFromServers(List<Map.Entry<String, Map<String, Object>>> definitions) {
        Map<String, Object> first = withoutServers(definitions.get(0).getValue());
        for (Map.Entry<String, Map<String, Object>> d : definitions) {
            if (!first.equals(withoutServers(d.getValue()))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> withoutServers(Map<String, Object> service) {
        Map<String, Object> copy = copy(service);
        loadBalancer(copy).remove("servers");
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> tree) {
        Map<String, Object> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        tree.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> m ? copy((Map<String, Object>) m) : v));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /** One container's part of the snapshot while it is being built. */
    private static final class Fragment {
        final String origin;
        final Map<String, Map<String, Map<String, Object>>> sections = new LinkedHashMap<>();
        final List<String> errors = new ArrayList<>();

        Fragment(String origin) {
            this.origin = origin;
        }

        /** {@code kind} is {@code http.routers}, {@code tcp.services}... */
        Map<String, Object> section(String kind) {
            return castMap(sections.computeIfAbsent(kind, k -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER)));
        }

        ConfigurationFragment toFragment() {
            Map<String, Object> content = new TreeMap<>();
            sections.forEach((kind, elements) -> {
                if (elements.isEmpty()) {
                    return;
                }
                String[] parts = kind.split("\\.", 2);
                castMap((Map<?, ?>) content.computeIfAbsent(parts[0], k -> new TreeMap<String, Object>()))
                        .put(parts[1], elements);
            });
            return new ConfigurationFragment(origin, content, errors);
        }
    }
}
