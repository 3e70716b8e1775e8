package dev.gatehouse.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.Provider;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.EntryPointConfig;
import dev.gatehouse.core.config.ForwardedHeadersConfig;
import dev.gatehouse.core.config.ForwardingTimeoutsConfig;
import dev.gatehouse.core.config.LifeCycleConfig;
import dev.gatehouse.core.config.ListenAddress;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.config.PingConfig;
import dev.gatehouse.core.config.StaticConfiguration;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ConfigurationWatcher;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import dev.gatehouse.core.dynamic.GatewayRuntime;
import dev.gatehouse.core.dynamic.RuntimeBuilder;
import dev.gatehouse.core.http.ForwardedHeadersPolicy;
import dev.gatehouse.core.http.IpRanges;
import dev.gatehouse.core.internal.DemoService;
import dev.gatehouse.core.logging.Logging;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.plugin.PluginHost;
import dev.gatehouse.core.proxy.JettyUpstreamClient;
import dev.gatehouse.core.proxy.UpstreamSettings;
import dev.gatehouse.core.server.GatewayServer;
import dev.gatehouse.core.server.ListenerSpec;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: wires the static configuration, the plugins, the server and the providers together,
 * and takes them down in the right order. {@link Gatehouse} runs one from the command line; tests start
 * one in-process.
 */
public final class GatewayApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayApplication.class);

    /** The entry point that ping (and later the API) uses unless told otherwise; {@code traefik} is an alias. */
    static final String OPERATIONS_ENTRY_POINT = "gatehouse";
    private static final String OPERATIONS_DEFAULT_ADDRESS = ":8080";
    /** The provider name of what the gateway defines itself ({@code demo@internal}). */
    static final String INTERNAL_PROVIDER = "internal";

    private final LoadedConfiguration loaded;
    private final PluginHost plugins;
    private final GatewayServer server;
    private final ConfigurationWatcher watcher;
    private final List<Provider.Running> runningProviders = new ArrayList<>();
    private final Duration requestAcceptGraceTimeout;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile long generation;

    private GatewayApplication(LoadedConfiguration loaded, PluginHost plugins, GatewayServer server,
            ConfigurationWatcher watcher, Duration requestAcceptGraceTimeout) {
        this.loaded = loaded;
        this.plugins = plugins;
        this.server = server;
        this.watcher = watcher;
        this.requestAcceptGraceTimeout = requestAcceptGraceTimeout;
    }

    /**
     * Starts everything the configuration describes. Errors in the static configuration are thrown; a
     * plugin or provider that fails is logged and left out.
     */
    public static GatewayApplication start(LoadedConfiguration loaded) throws Exception {
        long startNanos = System.nanoTime();
        StaticConfiguration config = loaded.configuration();
        Logging.configure(config.logOrDefault().levelOrDefault(), config.logOrDefault().formatOrDefault());
        LOG.info("Gatehouse {} starting with {}", Version.get(),
                loaded.configFile() == null ? "the embedded default configuration" : loaded.configFile());

        Injector injector = Guice.createInjector(new GatewayModule(loaded));
        PluginHost plugins = new PluginHost(loaded.pluginsDirectory(), injector);
        ExtensionRegistry extensions = plugins.load();

        EntryPoints entryPoints = EntryPoints.from(config);
        GatewayServer server = new GatewayServer(entryPoints.listeners, entryPoints.pingIndex,
                config.ping() == null ? 503 : config.ping().terminatingStatusCodeOrDefault(), entryPoints.graceTimeout);
        JettyUpstreamClient upstream = new JettyUpstreamClient(upstreamSettings(config), server.executor());
        server.jetty().addBean(upstream);

        ObjectMapper mapper = ConfigMappers.strictMapper();
        Map<String, Handler> internalServices = Map.of(DemoService.NAME, new DemoService(Version.get()));
        RuntimeBuilder builder = new RuntimeBuilder(entryPoints.names(), entryPoints.defaults, extensions, upstream,
                internalServices, mapper, server.jetty());
        DynamicConfigurationBinder binder = new DynamicConfigurationBinder(mapper);

        GatewayApplication[] self = new GatewayApplication[1];
        ConfigurationWatcher watcher = new ConfigurationWatcher(
                config.providersOrDefault().providersThrottleDurationOrDefault(),
                snapshots -> self[0].apply(binder.bind(snapshots), builder));
        GatewayApplication application =
                new GatewayApplication(loaded, plugins, server, watcher, entryPoints.requestAcceptGraceTimeout);
        self[0] = application;

        try {
            server.start();
        } catch (IOException e) {
            application.closeQuietly();
            throw new ConfigurationException(bindFailure(e, entryPoints));
        }

        watcher.contextFor(INTERNAL_PROVIDER).publish(internalConfiguration(config));
        List<String> started = application.startProviders(config, extensions);

        // "ready" is logged once the first configurations are applied, so the URLs it names answer.
        List<String> awaited = new ArrayList<>(started);
        awaited.add(INTERNAL_PROVIDER);
        watcher.awaitFirstSnapshots(awaited, Duration.ofSeconds(5));
        LOG.info("Gatehouse {} ready in {} ms: {}", Version.get(), (System.nanoTime() - startNanos) / 1_000_000,
                entryPoints.describe(server, config.demo() != null));
        return application;
    }

    /** Starts the configured providers; returns the names of those that started. */
    private List<String> startProviders(StaticConfiguration config, ExtensionRegistry extensions) {
        List<String> started = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : config.providersOrDefault().providers().entrySet()) {
            String key = entry.getKey();
            Provider<Object> provider = findProvider(extensions, key);
            if (provider == null) {
                LOG.error("providers.{}: no plugin provides the provider '{}' (known: {}); it is left out",
                        key, key, String.join(", ", extensions.names(ExtensionKind.PROVIDER)));
                continue;
            }
            try {
                Object options = loaded.bindSection("providers." + key, entry.getValue(), provider.configType());
                runningProviders.add(provider.start(options, watcher.contextFor(provider.name())));
                started.add(provider.name());
                LOG.info("Provider {} started", provider.name());
            } catch (ConfigurationException e) {
                LOG.error("Provider {} left out: {}", provider.name(), String.join("; ", e.problems()));
            } catch (Exception | LinkageError e) {
                LOG.error("Provider {} failed to start and is left out: {}", provider.name(), e.getMessage() == null
                        ? e.toString() : e.getMessage());
            }
        }
        return started;
    }

    @SuppressWarnings("unchecked")
    private static Provider<Object> findProvider(ExtensionRegistry extensions, String key) {
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

    private void apply(BoundConfiguration bound, RuntimeBuilder builder) {
        GatewayRuntime runtime = builder.build(bound);
        for (ConfigProblem problem : runtime.problems()) {
            LOG.error("Configuration error: {}", problem);
        }
        server.swap(runtime);
        long enabled = runtime.routerStatus().values().stream().filter("enabled"::equals).count();
        LOG.info("Configuration applied: {} router(s) enabled, {} disabled", enabled,
                runtime.routerStatus().size() - enabled);
        generation++;
    }

    /** How many configurations have been applied; for tests that wait for a reload. */
    public long generation() {
        return generation;
    }

    public GatewayRuntime runtime() {
        return server.runtime();
    }

    public int port(String entryPoint) {
        return server.port(entryPoint);
    }

    public List<dev.gatehouse.core.plugin.PluginProblem> pluginProblems() {
        return plugins.problems();
    }

    public List<dev.gatehouse.core.plugin.LoadedPlugin> loadedPlugins() {
        return plugins.plugins();
    }

    /**
     * Graceful stop: {@code /ping} answers 503 at once; after {@code requestAcceptGraceTimeout} the listeners
     * stop accepting; requests in flight get {@code graceTimeOut} to finish. Safe to call more than once.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        LOG.info("Stopping: finishing requests in flight");
        server.beginTermination();
        if (!requestAcceptGraceTimeout.isZero()) {
            try {
                Thread.sleep(requestAcceptGraceTimeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Provider.Running running : runningProviders) {
            try {
                running.close();
            } catch (Exception e) {
                LOG.warn("Stopping a provider: {}", e.toString());
            }
        }
        server.stop();
        closeQuietly();
        LOG.info("Stopped");
    }

    private void closeQuietly() {
        watcher.close();
        plugins.close();
    }

    @Override
    public void close() {
        stop();
    }

    private static ConfigurationSnapshot internalConfiguration(StaticConfiguration config) {
        Map<String, Object> routers = new LinkedHashMap<>();
        if (config.demo() != null) {
            // Priority 1: any router of the user's that also matches localhost wins over the demo.
            routers.put("demo", Map.of("rule", "Host(`localhost`)", "service", DemoService.NAME, "priority", 1));
        }
        return ConfigurationSnapshot.of(ConfigurationFragment.of("the gateway's internal configuration",
                Map.of("http", Map.of("routers", routers))));
    }

    private static UpstreamSettings upstreamSettings(StaticConfiguration config) {
        ForwardingTimeoutsConfig timeouts = config.serversTransportOrDefault().forwardingTimeoutsOrDefault();
        return new UpstreamSettings(timeouts.dialTimeoutOrDefault(), timeouts.responseHeaderTimeoutOrDefault(),
                timeouts.idleConnTimeoutOrDefault(), config.serversTransportOrDefault().maxIdleConnsPerHostOrDefault());
    }

    private static String bindFailure(IOException e, EntryPoints entryPoints) {
        String reason = e instanceof BindException || String.valueOf(e.getMessage()).contains("in use")
                ? "the address is already in use" : e.getMessage();
        return "cannot listen on the entry points " + entryPoints.addresses() + ": " + reason + " (" + e + ")";
    }

    /** The entry points as the server needs them, with ping's and the defaults' resolution. */
    private static final class EntryPoints {
        final List<ListenerSpec> listeners = new ArrayList<>();
        final List<String> defaults = new ArrayList<>();
        int pingIndex = -1;
        Duration graceTimeout = Duration.ZERO;
        Duration requestAcceptGraceTimeout = Duration.ZERO;

        static EntryPoints from(StaticConfiguration config) throws ConfigurationException {
            EntryPoints result = new EntryPoints();
            List<String> problems = new ArrayList<>();
            List<String> explicitDefaults = new ArrayList<>();
            config.entryPoints().forEach((name, entryPoint) -> {
                try {
                    result.add(name, entryPoint);
                    if (entryPoint.asDefaultOrDefault() && entryPoint.asDefault() != null) {
                        explicitDefaults.add(name);
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            });
            result.defaults.addAll(explicitDefaults.isEmpty() ? result.names() : explicitDefaults);

            PingConfig ping = config.ping();
            if (ping != null && !ping.manualRoutingOrDefault()) {
                String wanted = ping.entryPointOrDefault();
                int index = result.indexOf(wanted);
                if (index < 0 && (wanted.equals(OPERATIONS_ENTRY_POINT) || wanted.equals("traefik"))) {
                    index = result.indexOf(wanted.equals("traefik") ? OPERATIONS_ENTRY_POINT : "traefik");
                    if (index < 0) {
                        // Traefik creates its operations entry point on :8080 when nothing defines it.
                        result.add(OPERATIONS_ENTRY_POINT, new EntryPointConfig(OPERATIONS_DEFAULT_ADDRESS, false, null, null, null));
                        index = result.listeners.size() - 1;
                    }
                }
                if (index < 0) {
                    problems.add("ping.entryPoint: entry point '" + wanted + "' does not exist (known: "
                            + String.join(", ", result.names()) + ")");
                }
                result.pingIndex = index;
            }
            if (result.listeners.isEmpty()) {
                problems.add("no entry point is configured (for example --entryPoints.web.address=:8000)");
            }
            if (!problems.isEmpty()) {
                throw new ConfigurationException(problems);
            }
            return result;
        }

        void add(String name, EntryPointConfig entryPoint) {
            ListenAddress address = entryPoint.listenAddress(name);
            ForwardedHeadersConfig forwarded = entryPoint.forwardedHeadersOrDefault();
            IpRanges trusted;
            try {
                trusted = IpRanges.parse(forwarded.trustedIPs());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("entryPoints." + name + ".forwardedHeaders.trustedIPs: " + e.getMessage());
            }
            listeners.add(new ListenerSpec(name, address.host(), address.port(),
                    new ForwardedHeadersPolicy(trusted, forwarded.insecureOrDefault()),
                    entryPoint.httpOrDefault().sanitizePathOrDefault()));
            LifeCycleConfig lifeCycle = entryPoint.transportOrDefault().lifeCycleOrDefault();
            graceTimeout = max(graceTimeout, lifeCycle.graceTimeOutOrDefault());
            requestAcceptGraceTimeout = max(requestAcceptGraceTimeout, lifeCycle.requestAcceptGraceTimeoutOrDefault());
        }

        private static Duration max(Duration a, Duration b) {
            return a.compareTo(b) >= 0 ? a : b;
        }

        List<String> names() {
            return listeners.stream().map(ListenerSpec::name).toList();
        }

        int indexOf(String name) {
            return names().indexOf(name);
        }

        String addresses() {
            return listeners.stream().map(l -> l.name() + "=" + (l.host() == null ? "" : l.host()) + ":" + l.port())
                    .toList().toString();
        }

        String describe(GatewayServer server, boolean demo) {
            StringBuilder text = new StringBuilder();
            for (ListenerSpec listener : listeners) {
                if (text.length() > 0) {
                    text.append(", ");
                }
                String host = listener.host() == null || listener.host().isEmpty() ? "localhost" : listener.host();
                if (host.indexOf(':') >= 0) {
                    host = "[" + host + "]";
                }
                text.append("entry point ").append(listener.name()).append(" on http://").append(host).append(':')
                        .append(server.port(listener.name())).append('/');
            }
            if (demo && !defaults.isEmpty()) {
                text.append("; open http://localhost:").append(server.port(defaults.get(0))).append("/ to see the demo page");
            }
            return text.toString();
        }
    }
}
