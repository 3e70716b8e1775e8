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
import dev.gatehouse.core.config.ForwardingTimeoutsConfig;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.config.StaticConfiguration;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ConfigurationWatcher;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import dev.gatehouse.core.dynamic.GatewayRuntime;
import dev.gatehouse.core.dynamic.RuntimeBuilder;
import dev.gatehouse.core.internal.DemoService;
import dev.gatehouse.core.logging.Logging;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.plugin.PluginHost;
import dev.gatehouse.core.proxy.JettyUpstreamClient;
import dev.gatehouse.core.proxy.UpstreamSettings;
import dev.gatehouse.core.server.GatewayServer;
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
    /** Health checks and passive health recoveries: never on request threads. */
    private final java.util.concurrent.ScheduledExecutorService healthScheduler =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gatehouse-health");
                t.setDaemon(true);
                return t;
            });

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

        EntryPointPlan entryPoints = EntryPointPlan.from(config);
        GatewayServer server = new GatewayServer(entryPoints.listeners, entryPoints.pingIndex,
                config.ping() == null ? 503 : config.ping().terminatingStatusCodeOrDefault(), entryPoints.graceTimeout);
        JettyUpstreamClient upstream = new JettyUpstreamClient(upstreamSettings(config), server.executor());
        server.jetty().addBean(upstream);

        ObjectMapper mapper = ConfigMappers.strictMapper();
        Map<String, Handler> internalServices = Map.of(DemoService.NAME, new DemoService(Version.get()));
        DynamicConfigurationBinder binder = new DynamicConfigurationBinder(mapper);

        GatewayApplication[] self = new GatewayApplication[1];
        RuntimeBuilder[] builder = new RuntimeBuilder[1];   // made once the server runs (it needs the ports)
        ConfigurationWatcher watcher = new ConfigurationWatcher(
                config.providersOrDefault().providersThrottleDurationOrDefault(),
                snapshots -> self[0].apply(binder.bind(snapshots), builder[0]));
        GatewayApplication application =
                new GatewayApplication(loaded, plugins, server, watcher, entryPoints.requestAcceptGraceTimeout);
        self[0] = application;

        try {
            server.start();
        } catch (IOException e) {
            application.closeQuietly();
            throw new ConfigurationException(bindFailure(e, entryPoints));
        }
        builder[0] = new RuntimeBuilder(entryPoints.names(), entryPoints.defaults, entryPoints.fixedRoutes(server),
                extensions, upstream, internalServices, mapper, server.jetty(), application.healthScheduler,
                server.executor());

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
        healthScheduler.shutdownNow();
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

    private static String bindFailure(IOException e, EntryPointPlan entryPoints) {
        String reason = e instanceof BindException || String.valueOf(e.getMessage()).contains("in use")
                ? "the address is already in use" : e.getMessage();
        return "cannot listen on the entry points " + entryPoints.addresses() + ": " + reason + " (" + e + ")";
    }
}
