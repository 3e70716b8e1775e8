package dev.gatehouse.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.core.config.StorageConfig;
import dev.gatehouse.core.metrics.ExtensionCounters;
import dev.gatehouse.core.storage.GatewayStorages;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.tls.TlsEngine;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.config.StaticConfiguration;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import dev.gatehouse.core.runtime.RuntimeBuilder;
import dev.gatehouse.core.runtime.RuntimeSettings;
import dev.gatehouse.core.tls.CertificateDemands;
import dev.gatehouse.core.tracing.Tracing;
import dev.gatehouse.core.tls.TlsManager;
import dev.gatehouse.core.internal.DemoService;
import dev.gatehouse.core.internal.NoopService;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.plugin.PluginHost;
import dev.gatehouse.core.plugin.PluginSelection;
import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import dev.gatehouse.core.proxy.JettyUpstreamClient;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamTls;
import java.util.concurrent.Executor;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import dev.gatehouse.core.proxy.UpstreamSettings;
import dev.gatehouse.core.config.ProvidersConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.ToIntFunction;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;

/**
 * Everything the static configuration resolves to before anything listens: plugins loaded, entry points
 * planned, the configuration binder ready. The running gateway ({@link GatewayApplication}) and
 * {@code gatehouse check} ({@link CheckCommand}) build on the same assembly, so that check finds exactly the
 * errors the gateway would.
 */
final class GatewayAssembly implements AutoCloseable {

    /** The provider name of what the gateway defines itself ({@code ping@internal}, {@code api@internal}, ...). */
    static final String INTERNAL_PROVIDER = "internal";
    /** The ping answer as a service for routers ({@code ping.manualRouting}). */
    static final String PING_SERVICE = InternalRouters.PING;
    /** The Prometheus scrape answer as a service for routers ({@code metrics.prometheus.manualRouting}). */
    static final String PROMETHEUS_SERVICE = InternalRouters.PROMETHEUS;

    final LoadedConfiguration loaded;
    final StaticConfiguration config;
    final PluginHost plugins;
    final ExtensionRegistry extensions;
    final EntryPointPlan entryPoints;
    /** The TLS implementation ({@code tlsEngine}), chosen before the plugins load so that its error comes first. */
    final TlsEngine tlsEngine;
    /** TLS to {@code https} servers of services with no transport of their own; null for the JVM's defaults. */
    private final SslContextFactory.Client upstreamTls;
    final ObjectMapper mapper = ConfigMappers.strictMapper();
    final DynamicConfigurationBinder binder = new DynamicConfigurationBinder(mapper);
    /** Those of the gateway's own services that need nothing running; {@code demo@internal} while {@code demo} is on. */
    private final Map<String, Handler> internalServices;
    /** What extensions open their storage with: files, or the shared store once {@link #connectStorage} ran. */
    private final GatewayStorages storages;
    /** The static {@code storage} section's backend and its bound options; null without the section. */
    private final SharedStorage sharedStorage;
    /** The counters extensions register ({@code GatewayEnvironment.counter}), for the metrics backends. */
    final ExtensionCounters counters;

    private record SharedStorage(String name, StorageBackend<Object> backend, Object options, byte[] encryptionKey) {
    }

    private GatewayAssembly(LoadedConfiguration loaded, PluginHost plugins, ExtensionRegistry extensions,
            EntryPointPlan entryPoints, TlsEngine tlsEngine, SslContextFactory.Client upstreamTls,
            GatewayStorages storages, SharedStorage sharedStorage, ExtensionCounters counters) {
        this.loaded = loaded;
        this.counters = counters;
        this.storages = storages;
        this.sharedStorage = sharedStorage;
        this.upstreamTls = upstreamTls;
        this.tlsEngine = tlsEngine;
        this.config = loaded.configuration();
        this.plugins = plugins;
        this.extensions = extensions;
        this.entryPoints = entryPoints;
        this.internalServices = config.demo() == null ? Map.of(NoopService.NAME, new NoopService())
                : Map.of(NoopService.NAME, new NoopService(), DemoService.NAME, new DemoService(Version.get()));
    }

    /** Loads the plugins and plans the entry points; a static configuration error is thrown. */
    static GatewayAssembly assemble(LoadedConfiguration loaded) throws ConfigurationException {
        EntryPointPlan entryPoints = EntryPointPlan.from(loaded.configuration());
        TlsEngine tlsEngine;
        try {
            tlsEngine = TlsEngine.of(loaded.configuration().tlsEngineOrDefault());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        GatewayStorages storages = new GatewayStorages(loaded::resolve);
        ExtensionCounters counters = new ExtensionCounters();
        PluginHost plugins = new PluginHost(loaded.pluginsDirectory(),
                Guice.createInjector(new GatewayModule(loaded, storages, counters)),
                PluginSelection.of(loaded.configuration().pluginsOrDefault()));
        ExtensionRegistry extensions = plugins.load();
        try {
            checkPrecedence(loaded.configuration().providersOrDefault(), extensions);
            SharedStorage sharedStorage = sharedStorage(loaded, extensions);
            // Built once, here: an unreadable rootCAs file stops the start and shows in check.
            SslContextFactory.Client upstreamTls = upstreamTls(loaded);
            return new GatewayAssembly(loaded, plugins, extensions, entryPoints, tlsEngine, upstreamTls, storages,
                    sharedStorage, counters);
        } catch (ConfigurationException | RuntimeException e) {
            plugins.close();
            throw e;
        }
    }

    /**
     * The static {@code storage} section: one backend a plugin provides ({@code etcd}, {@code redis}) with its options
     * bound, so that {@code gatehouse check} reports their errors too; null without the section.
     */
    @SuppressWarnings("unchecked")
    private static SharedStorage sharedStorage(LoadedConfiguration loaded, ExtensionRegistry extensions)
            throws ConfigurationException {
        StorageConfig storage = loaded.configuration().storage();
        if (storage == null) {
            return null;
        }
        String known = extensions.names(ExtensionKind.STORAGE_BACKEND).isEmpty() ? "none (the etcd and redis "
                + "backends come with the provider-etcd and provider-redis plugins)"
                : String.join(", ", extensions.names(ExtensionKind.STORAGE_BACKEND));
        if (storage.backends().size() != 1) {
            throw new ConfigurationException("storage: name exactly one backend, such as storage.etcd or storage.redis"
                    + (storage.backends().isEmpty() ? "" : " (found " + String.join(", ", storage.backends().keySet())
                    + ")") + "; known: " + known);
        }
        Map.Entry<String, JsonNode> only = storage.backends().entrySet().iterator().next();
        StorageBackend<Object> backend = null;
        for (String name : extensions.names(ExtensionKind.STORAGE_BACKEND)) {
            if (name.equalsIgnoreCase(only.getKey())) {
                backend = (StorageBackend<Object>) extensions.storageBackend(name);
            }
        }
        if (backend == null) {
            throw new ConfigurationException("unknown key 'storage." + only.getKey() + "': no plugin provides the "
                    + "storage backend '" + only.getKey() + "' (known: " + known + "; the other key of storage is "
                    + "encryptionKey)");
        }
        JsonNode options = only.getValue();
        if (options != null && !options.isObject() && !options.isNull()) {
            throw new ConfigurationException("storage." + only.getKey() + ": invalid value '" + options.asText()
                    + "' (expected a section of options)");
        }
        Object bound = loaded.bindSection("storage." + only.getKey(), options, backend.configType());
        return new SharedStorage(only.getKey(), backend, bound, storage.encryptionKeyBytes());
    }

    /**
     * Connects the static {@code storage} section's shared store, so that extensions opening a storage from now on
     * get it: before the certificate resolvers start. Does nothing without the section.
     */
    void connectStorage() throws ConfigurationException {
        if (sharedStorage == null) {
            return;
        }
        StorageBackend.Connected store;
        try {
            store = sharedStorage.backend().connect(sharedStorage.options());
        } catch (Exception e) {
            // The backends' messages name their option already (storage.etcd.endpoints: ...): prefixed only when not.
            String reason = FailureReasons.of(e);
            String prefix = "storage." + sharedStorage.name();
            throw new ConfigurationException(reason.startsWith(prefix) ? reason : prefix + ": " + reason);
        }
        storages.share(store, sharedStorage.encryptionKey());
        org.slf4j.LoggerFactory.getLogger(GatewayAssembly.class).info("Storage: certificates and ACME state are kept "
                + "in the shared store storage.{}{}", sharedStorage.name(), sharedStorage.encryptionKey() == null
                ? "" : ", private keys encrypted with storage.encryptionKey");
    }

    /** As Traefik: every name in {@code providers.precedence} is a provider's (Traefik's, or a plugin's). */
    private static void checkPrecedence(ProvidersConfig providers, ExtensionRegistry extensions)
            throws ConfigurationException {
        Set<String> known = new LinkedHashSet<>(ProvidersConfig.TRAEFIK_PRECEDENCE);
        extensions.names(ExtensionKind.PROVIDER).forEach(name -> known.add(name.toLowerCase(Locale.ROOT)));
        List<String> unknown = providers.precedenceOrDefault().stream().filter(name -> !known.contains(name)).toList();
        if (!unknown.isEmpty()) {
            throw new ConfigurationException("providers.precedence: " + unknown.stream().map(name -> "'" + name + "'")
                    .collect(java.util.stream.Collectors.joining(", ")) + (unknown.size() == 1 ? " is not" : " are not")
                    + " a provider name (known: " + String.join(", ", known) + ")");
        }
    }

    /**
     * The builder of runtimes (routing tables, services, TLS) for this gateway.
     *
     * @param upstream how services reach their servers
     * @param jetty the server middleware handlers belong to
     * @param moreInternalServices internal services that need the running gateway ({@code api@internal})
     * @param health where health checks run; null builds runtimes without them ({@code gatehouse check})
     * @param tls the certificates and TLS options; null builds runtimes without them
     * @param demands receives what routers with a {@code certResolver} need; null when no resolver is configured
     * @param tracing spans for routers, middlewares and services; null for none
     */
    RuntimeBuilder runtimeBuilder(UpstreamClient upstream, Server jetty,
            Map<String, Handler> moreInternalServices, ScheduledExecutorService health,
            TlsManager tls, CertificateDemands demands, Tracing tracing) {
        Map<String, Handler> internal = new java.util.HashMap<>(internalServices);
        internal.putAll(moreInternalServices);
        return new RuntimeBuilder(RuntimeSettings.builder(entryPoints.names(), extensions)
                .defaultEntryPoints(entryPoints.defaults)
                .upstream(upstream)
                .internalServices(internal)
                .mapper(mapper)
                .server(jetty)
                .healthScheduler(health)
                .entryPointTls(entryPoints.tls)
                .tls(tls, demands)
                .entryPointMiddlewares(entryPoints.middlewares)
                .providersPrecedence(config.providersOrDefault().precedenceOrDefault())
                .defaultRuleSyntax(config.coreOrDefault().defaultRuleSyntaxOrDefault())
                .tracing(tracing)
                .build());
    }

    /**
     * The operations services the static configuration enables, each answered by {@code standIn}: for
     * {@code gatehouse check}, which only needs to know that they exist.
     */
    Map<String, Handler> operationServiceStandIns(Handler standIn) {
        Map<String, Handler> services = new java.util.HashMap<>();
        if (config.ping() != null) {
            services.put(PING_SERVICE, standIn);
        }
        if (config.api() != null && config.api().dashboardOrDefault()) {
            services.put(dev.gatehouse.core.api.DashboardHandler.NAME, standIn);
        }
        if (config.metrics() != null && config.metrics().prometheus() != null) {
            services.put(PROMETHEUS_SERVICE, standIn);
        }
        return services;
    }

    /**
     * The client of the default transport (the static {@code serversTransport}, {@code default@internal}).
     *
     * @param executor its threads; null for its own
     */
    JettyUpstreamClient defaultUpstreamClient(Executor executor) {
        return new JettyUpstreamClient(upstreamSettings(), executor, upstreamTls, true);
    }

    /**
     * TLS to {@code https} servers as the static {@code serversTransport} says, built by the same code as a
     * dynamic {@code http.serversTransports} entry; null (the JVM's defaults) when it sets neither
     * {@code insecureSkipVerify} nor {@code rootCAs}. Relative {@code rootCAs} files are taken from the
     * configuration file's folder, as every static path.
     */
    private static SslContextFactory.Client upstreamTls(LoadedConfiguration loaded) throws ConfigurationException {
        ServersTransportConfig transport = loaded.configuration().serversTransportOrDefault();
        if (!Boolean.TRUE.equals(transport.insecureSkipVerify()) && transport.rootCAs().isEmpty()) {
            return null;
        }
        List<String> rootCAs = transport.rootCAs().stream()
                .map(ca -> ca.strip().startsWith("-----BEGIN") ? ca : loaded.resolve(ca.strip()).toString())
                .toList();
        try {
            return UpstreamTls.of(new ServersTransportConfig(null, transport.insecureSkipVerify(), rootCAs, null, null,
                    null, null, null, null));
        } catch (Exception e) {
            throw new ConfigurationException("serversTransport." + e.getMessage()
                    + " (the path is taken from the configuration file's folder when relative)");
        }
    }

    UpstreamSettings upstreamSettings() {
        return UpstreamSettings.of(config.serversTransportOrDefault());
    }

    /**
     * What the gateway publishes itself, as provider {@value #INTERNAL_PROVIDER}: its own routers (see
     * {@link InternalRouters}).
     *
     * @param ports the port each entry point listens on: a redirection to an entry point names it
     * @param acmeEntryPoints the entry points where a certificate resolver answers HTTP-01 challenges
     */
    ConfigurationSnapshot internalConfiguration(ToIntFunction<String> ports, List<String> acmeEntryPoints) {
        return InternalRouters.snapshot(config, entryPoints, ports, acmeEntryPoints);
    }

    /** The configured providers: key to options, in declaration order. */
    Map<String, JsonNode> configuredProviders() {
        return config.providersOrDefault().providers();
    }

    /** The provider extension for a {@code providers.<key>} section (names match without regard to case), or null. */
    @SuppressWarnings("unchecked")
    Provider<Object> provider(String key) {
        Provider<?> exact = extensions.provider(key);
        if (exact != null) {
            return (Provider<Object>) exact;
        }
        for (String name : extensions.names(ExtensionKind.PROVIDER)) {
            if (name.equalsIgnoreCase(key)) {
                return (Provider<Object>) extensions.provider(name);
            }
        }
        return null;
    }

    /**
     * The message for a {@code providers.<key>} that no plugin provides: besides the providers, Traefik's
     * {@code providers} section has only {@code providersThrottleDuration} and {@code precedence}, so such a key is
     * unknown (a typo, or a provider Gatehouse has no plugin for).
     */
    String unknownProvider(String key) {
        return "unknown key 'providers." + key + "': no plugin provides the provider '" + key + "' (known: "
                + String.join(", ", extensions.names(ExtensionKind.PROVIDER))
                + "; the other keys of providers are providersThrottleDuration and precedence)";
    }

    /** Binds a provider's options with the static configuration's strictness; errors name the keys. */
    Object providerOptions(String key, JsonNode options, Provider<Object> provider) throws ConfigurationException {
        if (options != null && !options.isObject()) {
            throw new ConfigurationException("providers." + key + ": invalid value '"
                    + (options.isValueNode() ? options.asText() : options.toString())
                    + "' (expected true, false or a section of options)");
        }
        return loaded.bindSection("providers." + key, options, provider.configType());
    }

    @Override
    public void close() {
        storages.close();
        plugins.close();
    }
}
