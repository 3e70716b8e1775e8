package dev.gatehouse.core.dynamic;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.config.ConfigBinder;
import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.config.dynamic.CertificateConfig;
import dev.gatehouse.core.config.dynamic.GeneratedCertConfig;
import dev.gatehouse.api.config.KeyLines;
import dev.gatehouse.core.config.dynamic.MiddlewareConfig;
import dev.gatehouse.core.config.dynamic.TlsOptionsConfig;
import dev.gatehouse.core.config.dynamic.RouterConfig;
import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import dev.gatehouse.core.config.dynamic.ServiceConfig;
import dev.gatehouse.core.config.dynamic.TlsConfiguration;
import dev.gatehouse.core.config.dynamic.tcp.TcpMiddlewareConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpRouterConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpServersTransportConfig;
import dev.gatehouse.core.config.dynamic.tcp.TcpServiceConfig;
import dev.gatehouse.core.config.dynamic.udp.UdpRouterConfig;
import dev.gatehouse.core.config.dynamic.udp.UdpServiceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Binds what providers published (raw trees) into typed elements, one element at a time, so that a
 * mistake disables only the element it is in. Names are qualified with the provider ({@code app@file});
 * an element defined differently in two fragments of one provider is dropped with a problem naming both
 * origins, as Traefik does.
 */
public final class DynamicConfigurationBinder {

    private static final String DEFAULT_STORE = "default";
    /** The sections of {@code http} and {@code tcp}, in Traefik's spelling. */
    private static final List<String> HTTP_SECTIONS = List.of("routers", "services", "middlewares", "serversTransports");
    private static final List<String> UDP_SECTIONS = List.of("routers", "services");

    private final ObjectMapper mapper;

    /**
     * The routers, services and servers transports the previous {@link #bind} call bound without a problem, by
     * their type and raw tree, so that a reload binds only the elements that changed: a one-router change to a
     * file of 10,000 routers binds one router, not 10,000 (each costs Jackson's tree conversion and binding).
     * Binding succeeds or fails on the raw tree alone (the file and line are only in the problems, which are never
     * kept here), so an equal tree binds to an equal value; elements with problems are bound again each time. Only
     * the previous call's elements are kept: the cache is as large as the configuration. It relies on what the
     * watcher's "unchanged snapshot" check relies on too: a provider does not change a tree once published.
     */
    private Map<BindingKey, Object> previousBindings = Map.of();
    /** What the {@link #bind} call in progress bound, to become {@link #previousBindings} when it ends. */
    private Map<BindingKey, Object> currentBindings = new HashMap<>();

    /**
     * An element's raw tree, as published, and the type it binds to. Its hash is computed once: a raw tree's hash
     * walks the whole tree, and a key is hashed for the lookup in each map and for its entry in the next cache.
     */
    private static final class BindingKey {
        private final Class<?> type;
        private final Object raw;
        private final int hash;

        BindingKey(Class<?> type, Object raw) {
            this.type = type;
            this.raw = raw;
            this.hash = 31 * type.hashCode() + raw.hashCode();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof BindingKey key && key.hash == hash && key.type == type && key.raw.equals(raw);
        }
    }

    /** @param mapper the strict configuration mapper: case-insensitive keys, unknown keys fail */
    public DynamicConfigurationBinder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** @param snapshots the newest snapshot of each provider, by provider name */
    public synchronized BoundConfiguration bind(Map<String, ConfigurationSnapshot> snapshots) {
        currentBindings = new HashMap<>();
        try {
            return bindAll(snapshots);
        } finally {
            previousBindings = currentBindings;
        }
    }

    private BoundConfiguration bindAll(Map<String, ConfigurationSnapshot> snapshots) {
        Collector collector = new Collector();
        new TreeMap<>(snapshots).forEach((provider, snapshot) -> {
            ProviderElements elements = new ProviderElements(provider);
            for (ConfigurationFragment fragment : snapshot.fragments()) {
                for (String error : fragment.errors()) {
                    collector.problems.add(new ConfigProblem(new ConfigElement(ConfigElement.Type.PROVIDER, provider),
                            fragment.origin(), ProblemKind.INVALID, error));
                }
                bindFragment(fragment, elements, collector);
            }
            elements.addTo(collector);
        });
        return new BoundConfiguration(collector.routers, collector.services, collector.middlewares,
                collector.transports, collector.problems,
                new TlsDefinitions(collector.certificates, collector.tlsOptions, collector.defaultCertificate,
                        collector.defaultCertificate == null ? collector.defaultGeneratedCert : null),
                new TcpDefinitions(collector.tcpRouters, collector.tcpServices, collector.tcpMiddlewares,
                        collector.tcpTransports),
                new UdpDefinitions(collector.udpRouters, collector.udpServices));
    }

    private void bindFragment(ConfigurationFragment fragment, ProviderElements elements, Collector collector) {
        String origin = fragment.origin();
        String source = "provider " + elements.provider;
        KeyLines lines = fragment.content() instanceof KeyLines known ? known : path -> 0;
        for (Map.Entry<String, Object> top : fragment.content().entrySet()) {
            String key = top.getKey();
            switch (key.toLowerCase(java.util.Locale.ROOT)) {
                case "http" -> bindHttp(key, top.getValue(), origin, lines, elements, collector);
                case "tls" -> bindTls(key, top.getValue(), origin, lines, elements.provider, collector);
                case "tcp" -> bindTcp(key, top.getValue(), origin, lines, elements, collector);
                case "udp" -> bindUdp(key, top.getValue(), origin, lines, elements, collector);
                default -> collector.problems.add(new ConfigProblem(source, origin,
                        "unknown top-level key '" + key + "' (known: http, tls, tcp, udp)"));
            }
        }
    }

    private void bindHttp(String httpKey, Object http, String origin, KeyLines lines, ProviderElements elements,
            Collector collector) {
        bindSections("http", httpKey, http, origin, lines, elements, collector, HTTP_SECTIONS,
                (section, elementName, at, written, value) -> {
                    switch (section) {
                        case "routers" -> elements.routers.add(elementName, at, () -> bindElement(
                                List.of("http", "routers", elementName), written, lines, value, RouterConfig.class));
                        case "services" -> elements.services.add(elementName, at, () -> bindElement(
                                List.of("http", "services", elementName), written, lines, value, ServiceConfig.class));
                        case "serverstransports" -> elements.transports.add(elementName, at, () -> bindElement(
                                List.of("http", "serversTransports", elementName), written, lines, value,
                                ServersTransportConfig.class));
                        default -> elements.middlewares.add(elementName, at, () -> bindMiddleware(elementName, value));
                    }
                });
    }

    /** {@code tcp}: routers, services, middlewares and servers transports, each element bound on its own. */
    private void bindTcp(String tcpKey, Object tcp, String origin, KeyLines lines, ProviderElements elements,
            Collector collector) {
        bindSections("tcp", tcpKey, tcp, origin, lines, elements, collector, HTTP_SECTIONS,
                (section, elementName, at, written, value) -> {
                    switch (section) {
                        case "routers" -> elements.tcpRouters.add(elementName, at, () -> bindElement(
                                List.of("tcp", "routers", elementName), written, lines, value, TcpRouterConfig.class));
                        case "services" -> elements.tcpServices.add(elementName, at, () -> bindElement(
                                List.of("tcp", "services", elementName), written, lines, value, TcpServiceConfig.class));
                        case "serverstransports" -> elements.tcpTransports.add(elementName, at, () -> bindElement(
                                List.of("tcp", "serversTransports", elementName), written, lines, value,
                                TcpServersTransportConfig.class));
                        default -> elements.tcpMiddlewares.add(elementName, at, () -> bindElement(
                                List.of("tcp", "middlewares", elementName), written, lines, value,
                                TcpMiddlewareConfig.class));
                    }
                });
    }

    /** {@code udp.routers} and {@code udp.services}, each element on its own as for {@code http}. */
    private void bindUdp(String udpKey, Object udp, String origin, KeyLines lines, ProviderElements elements,
            Collector collector) {
        bindSections("udp", udpKey, udp, origin, lines, elements, collector, UDP_SECTIONS,
                (section, elementName, at, written, value) -> {
                    if (section.equals("routers")) {
                        elements.udpRouters.add(elementName, at, () -> bindElement(List.of("udp", "routers", elementName),
                                written, lines, value, UdpRouterConfig.class));
                    } else {
                        elements.udpServices.add(elementName, at, () -> bindElement(
                                List.of("udp", "services", elementName), written, lines, value, UdpServiceConfig.class));
                    }
                });
    }

    /** Takes one named element of a section: the section's name in lower case, the element's, where it is written. */
    @FunctionalInterface
    private interface ElementTaker {
        void take(String section, String elementName, String at, List<String> written, Object value);
    }

    /**
     * The sections of {@code http}, {@code tcp} or {@code udp} (written as {@code key}): each named element of a
     * known section goes to {@code taker}, which binds it on its own; anything else is a problem of the fragment.
     *
     * @param known the sections in Traefik's spelling, for messages; matched without regard to case
     */
    private static void bindSections(String protocol, String key, Object value, String origin, KeyLines lines,
            ProviderElements elements, Collector collector, List<String> known, ElementTaker taker) {
        String source = "provider " + elements.provider;
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> sections)) {
            collector.problems.add(new ConfigProblem(source, origin, "'" + protocol + "' must be a section (a map of keys)"));
            return;
        }
        for (Map.Entry<?, ?> section : sections.entrySet()) {
            String name = String.valueOf(section.getKey());
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (known.stream().noneMatch(lower::equalsIgnoreCase)) {
                collector.problems.add(new ConfigProblem(source, origin,
                        "unknown key '" + protocol + "." + name + "' (known: " + String.join(", ", known) + ")"));
                continue;
            }
            if (section.getValue() == null) {
                continue;
            }
            if (!(section.getValue() instanceof Map<?, ?> entries)) {
                collector.problems.add(new ConfigProblem(source, origin,
                        "'" + protocol + "." + name + "' must be a map of named elements"));
                continue;
            }
            for (Map.Entry<?, ?> entry : entries.entrySet()) {
                String elementName = String.valueOf(entry.getKey());
                // The path as written, to find lines; messages name the section in Traefik's spelling.
                List<String> written = List.of(key, name, elementName);
                taker.take(lower, elementName, atLine(origin, lines.lineOf(written)), written, entry.getValue());
            }
        }
    }

    private void bindTls(String tlsKey, Object tls, String origin, KeyLines lines, String provider, Collector collector) {
        String source = "provider " + provider;
        List<String> problems = new ArrayList<>();
        TlsConfiguration bound = ConfigBinder.bindTree(mapper, tls, TlsConfiguration.class, List.of("tls"),
                lineSource(List.of(tlsKey), 1, lines), problems);
        problems.forEach(problem -> collector.problems.add(new ConfigProblem(source, origin, problem)));
        if (bound == null) {
            return;
        }
        for (int i = 0; i < bound.certificates().size(); i++) {
            CertificateConfig certificate = bound.certificates().get(i);
            String at = atLine(origin, lines.lineOf(List.of(tlsKey, "certificates", "[" + i + "]")));
            if (!certificate.stores().isEmpty() && !certificate.stores().contains(DEFAULT_STORE)) {
                collector.problems.add(new ConfigProblem("tls.certificates", at,
                        "only the 'default' store is supported; certificate " + certificate.certFile()
                        + " is added to it"));
            }
            collector.certificates.add(new Defined<>(certificate, at, provider));
        }
        bound.options().forEach((name, options) -> {
            String qualified = name.equals(DEFAULT_STORE) ? name : name + "@" + provider;
            Defined<TlsOptionsConfig> previous = collector.tlsOptions.get(qualified);
            if (name.contains("@")) {
                collector.problems.add(new ConfigProblem("tls.options." + name, origin, "invalid name: names must not "
                        + "contain '@'"));
            } else if (previous != null && !java.util.Objects.equals(previous.value(), options)) {
                collector.problems.add(new ConfigProblem("tls.options." + qualified, previous.origin() + ", " + origin,
                        "defined more than once with different settings; the first definition is used"));
            } else if (previous == null) {
                collector.tlsOptions.put(qualified, new Defined<>(options, origin, provider));
            }
        });
        bound.stores().forEach((name, store) -> {
            if (!name.equals(DEFAULT_STORE)) {
                // As Traefik documents: only the default store serves; a store of another name is never used.
                collector.problems.add(new ConfigProblem("tls.stores." + name, origin,
                        "only the 'default' store is used (as in Traefik); this store is ignored"));
                return;
            }
            if (store == null) {
                return;
            }
            if (store.defaultCertificate() != null && store.defaultGeneratedCert() != null) {
                collector.problems.add(new ConfigProblem("tls.stores.default", origin, "defaultCertificate and "
                        + "defaultGeneratedCert cannot both be given; defaultCertificate is used, as in Traefik"));
            }
            collector.defaultCertificate = firstDefinition("tls.stores.default.defaultCertificate",
                    collector.defaultCertificate, store.defaultCertificate(), origin, provider, collector.problems);
            collector.defaultGeneratedCert = firstDefinition("tls.stores.default.defaultGeneratedCert",
                    collector.defaultGeneratedCert, store.defaultGeneratedCert(), origin, provider, collector.problems);
        });
    }

    /** The definition kept for a key several providers may set: the first one, with a conflict reported. */
    private static <T> Defined<T> firstDefinition(String key, Defined<T> first, T value, String origin, String provider,
            List<ConfigProblem> problems) {
        if (value == null) {
            return first;
        }
        if (first == null) {
            return new Defined<>(value, origin, provider);
        }
        if (!first.value().equals(value)) {
            problems.add(new ConfigProblem(key, origin, "defined more than once with different settings; the first "
                    + "definition (" + first.origin() + ") is used"));
        }
        return first;
    }

    /**
     * Where an element was written, as {@code file:line} when the provider knows the line (the file provider
     * does), so that every problem of the element, found now or when it is built, says where to look.
     */
    private static String atLine(String origin, int line) {
        return origin == null || line <= 0 ? origin : origin + ":" + line;
    }

    private static String withoutLine(String origin) {
        return origin == null ? null : origin.replaceFirst(":[0-9]+$", "");
    }

    /**
     * @param path the element's path as messages name it ({@code http, routers, app})
     * @param written the same path as the provider's tree spells it, to find lines
     */
    private <T> T bindElement(List<String> path, List<String> written, KeyLines lines, Object raw, Class<T> type) {
        if (raw == null) {
            throw new ElementException("'" + String.join(".", path) + "' is empty");
        }
        BindingKey key = new BindingKey(type, raw);
        Object known = previousBindings.get(key);
        if (known == null) {
            known = currentBindings.get(key);
        }
        if (known != null) {
            currentBindings.put(key, known);
            return type.cast(known);
        }
        List<String> problems = new ArrayList<>();
        T value = ConfigBinder.bindTree(mapper, raw, type, path, lineSource(written, path.size(), lines), problems);
        if (!problems.isEmpty()) {
            throw new ElementException(String.join("; ", problems));
        }
        currentBindings.put(key, value);
        return value;
    }

    /**
     * "line 9: " for a problem at a key path that starts with {@code prefixLength} segments of the element's path
     * as messages spell it; those are replaced by {@code written} to ask the provider's lines.
     */
    private static java.util.function.Function<List<String>, String> lineSource(List<String> written, int prefixLength,
            KeyLines lines) {
        return path -> {
            List<String> asWritten = new ArrayList<>(written);
            asWritten.addAll(path.subList(Math.min(prefixLength, path.size()), path.size()));
            int line = lines.lineOf(asWritten);
            return line > 0 ? "line " + line + ": " : "";
        };
    }

    @SuppressWarnings("unchecked")
    private MiddlewareConfig bindMiddleware(String name, Object raw) {
        if (!(raw instanceof Map<?, ?> declaration) || declaration.size() != 1) {
            throw new ElementException("a middleware declares exactly one type, such as "
                    + "stripPrefix: {prefixes: [/api]}; found " + (raw instanceof Map<?, ?> m ? m.keySet() : raw));
        }
        Map.Entry<?, ?> only = declaration.entrySet().iterator().next();
        Object options = only.getValue();
        if (options instanceof String flag && (flag.isBlank() || flag.strip().equalsIgnoreCase("true"))) {
            // What Traefik's labels and key-value stores write for a type used with its defaults
            // (traefik.http.middlewares.gz.compress=true; an empty traefik/http/middlewares/gz/compress key): a type
            // with no options.
            options = null;
        }
        if (options != null && !(options instanceof Map<?, ?>)) {
            throw new ElementException("the options of middleware type '" + only.getKey() + "' must be a section");
        }
        return new MiddlewareConfig(String.valueOf(only.getKey()), (Map<String, Object>) options);
    }

    /** A binding failure of one element; its message is the whole reason. */
    static final class ElementException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ElementException(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Collector {
        final Map<String, Defined<RouterConfig>> routers = new LinkedHashMap<>();
        final Map<String, Defined<ServiceConfig>> services = new LinkedHashMap<>();
        final Map<String, Defined<MiddlewareConfig>> middlewares = new LinkedHashMap<>();
        final Map<String, Defined<ServersTransportConfig>> transports = new LinkedHashMap<>();
        final Map<String, Defined<TcpRouterConfig>> tcpRouters = new LinkedHashMap<>();
        final Map<String, Defined<TcpServiceConfig>> tcpServices = new LinkedHashMap<>();
        final Map<String, Defined<TcpMiddlewareConfig>> tcpMiddlewares = new LinkedHashMap<>();
        final Map<String, Defined<TcpServersTransportConfig>> tcpTransports = new LinkedHashMap<>();
        final Map<String, Defined<UdpRouterConfig>> udpRouters = new LinkedHashMap<>();
        final Map<String, Defined<UdpServiceConfig>> udpServices = new LinkedHashMap<>();
        final List<ConfigProblem> problems = new ArrayList<>();
        final List<Defined<CertificateConfig>> certificates = new ArrayList<>();
        final Map<String, Defined<TlsOptionsConfig>> tlsOptions = new LinkedHashMap<>();
        Defined<CertificateConfig> defaultCertificate;
        Defined<GeneratedCertConfig> defaultGeneratedCert;
    }

    /** One provider's elements of one kind, checked for invalid names and conflicting definitions. */
    private static final class Elements<T> {
        private final String kind;
        private final String provider;
        private final Map<String, Defined<T>> defined = new LinkedHashMap<>();
        private final Map<String, List<String>> conflicts = new LinkedHashMap<>();
        private final List<ConfigProblem> problems = new ArrayList<>();

        Elements(String kind, String provider) {
            this.kind = kind;
            this.provider = provider;
        }

        void add(String name, String origin, java.util.function.Supplier<T> binder) {
            String qualified = name + "@" + provider;
            if (name.isBlank() || name.contains("@")) {
                problems.add(new ConfigProblem(kind + " '" + name + "'", origin,
                        "invalid name: names must not be empty or contain '@' (the provider is added as name@" + provider + ")"));
                return;
            }
            T value;
            try {
                value = binder.get();
            } catch (ElementException e) {
                // A binding problem names its own line ("line 11: unknown key ..."); the element's would only repeat.
                problems.add(new ConfigProblem(new ConfigElement(ConfigElement.Type.of(kind), qualified),
                        e.getMessage().startsWith("line ") ? withoutLine(origin) : origin,
                        ProblemKind.INVALID, e.getMessage()));
                return;
            }
            Defined<T> previous = defined.get(name);
            if (previous == null) {
                defined.put(name, new Defined<>(value, origin, provider));
            } else if (!previous.value().equals(value)) {
                conflicts.computeIfAbsent(name, n -> new ArrayList<>(List.of(previous.origin()))).add(origin);
            }
        }

        void addTo(Map<String, Defined<T>> target, List<ConfigProblem> targetProblems) {
            targetProblems.addAll(problems);
            conflicts.forEach((name, origins) -> targetProblems.add(new ConfigProblem(
                    new ConfigElement(ConfigElement.Type.of(kind), name + "@" + provider), String.join(", ", origins),
                    ProblemKind.CONFLICT,
                    "defined more than once with different settings; left out until one remains")));
            defined.forEach((name, value) -> {
                if (!conflicts.containsKey(name)) {
                    target.put(name + "@" + provider, value);
                }
            });
        }
    }

    private static final class ProviderElements {
        final String provider;
        final Elements<RouterConfig> routers;
        final Elements<ServiceConfig> services;
        final Elements<MiddlewareConfig> middlewares;
        final Elements<ServersTransportConfig> transports;
        final Elements<TcpRouterConfig> tcpRouters;
        final Elements<TcpServiceConfig> tcpServices;
        final Elements<TcpMiddlewareConfig> tcpMiddlewares;
        final Elements<TcpServersTransportConfig> tcpTransports;
        final Elements<UdpRouterConfig> udpRouters;
        final Elements<UdpServiceConfig> udpServices;

        ProviderElements(String provider) {
            this.provider = provider;
            routers = new Elements<>("router", provider);
            services = new Elements<>("service", provider);
            middlewares = new Elements<>("middleware", provider);
            transports = new Elements<>("serversTransport", provider);
            tcpRouters = new Elements<>("TCP router", provider);
            tcpServices = new Elements<>("TCP service", provider);
            tcpMiddlewares = new Elements<>("TCP middleware", provider);
            tcpTransports = new Elements<>("TCP serversTransport", provider);
            udpRouters = new Elements<>("UDP router", provider);
            udpServices = new Elements<>("UDP service", provider);
        }

        void addTo(Collector collector) {
            routers.addTo(collector.routers, collector.problems);
            services.addTo(collector.services, collector.problems);
            middlewares.addTo(collector.middlewares, collector.problems);
            transports.addTo(collector.transports, collector.problems);
            tcpRouters.addTo(collector.tcpRouters, collector.problems);
            tcpServices.addTo(collector.tcpServices, collector.problems);
            tcpMiddlewares.addTo(collector.tcpMiddlewares, collector.problems);
            tcpTransports.addTo(collector.tcpTransports, collector.problems);
            udpRouters.addTo(collector.udpRouters, collector.problems);
            udpServices.addTo(collector.udpServices, collector.problems);
        }
    }
}
