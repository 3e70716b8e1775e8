package dev.gatehouse.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.api.ChallengeResponder;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.api.Provider;
import dev.gatehouse.core.accesslog.AccessLog;
import dev.gatehouse.core.api.ApiBasePath;
import dev.gatehouse.core.api.ApiHandler;
import dev.gatehouse.core.api.ApiState;
import dev.gatehouse.core.api.DashboardHandler;
import dev.gatehouse.core.config.AccessLogConfig;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.CoreConfig;
import dev.gatehouse.core.config.GlobalConfig;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.config.PrometheusMetricsConfig;
import dev.gatehouse.core.config.dynamic.ObservabilityConfig;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ConfigurationWatcher;
import dev.gatehouse.core.dynamic.ProviderHealth;
import dev.gatehouse.core.internal.AcmeHttpService;
import dev.gatehouse.core.logging.Logging;
import dev.gatehouse.core.metrics.GatewayGauges;
import dev.gatehouse.core.metrics.GatewayMetrics;
import dev.gatehouse.core.metrics.MetricsBackends;
import dev.gatehouse.core.metrics.MetricsHandler;
import dev.gatehouse.core.observe.RequestObserver;
import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.plugin.LoadedPlugin;
import dev.gatehouse.core.plugin.PluginProblem;
import dev.gatehouse.core.proxy.LeanUpstreamClient;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.runtime.GatewayRuntime;
import dev.gatehouse.core.runtime.RuntimeBuilder;
import dev.gatehouse.core.server.GatewayServer;
import dev.gatehouse.core.tls.CertificateResolvers;
import dev.gatehouse.core.tls.TlsManager;
import dev.gatehouse.core.tracing.Tracing;
import dev.gatehouse.core.udp.UdpGateway;
import dev.gatehouse.core.udp.UdpRouting;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: wires the static configuration, the plugins, the server and the providers together,
 * and takes them down in the right order. {@link Gatehouse} runs one from the command line; tests start
 * one in-process.
 */
public final class GatewayApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayApplication.class);

    private final GatewayAssembly assembly;
    private final GatewayServer server;
    private final UpstreamClient upstream;
    private final TlsManager tls;
    private final CertificateResolvers resolvers;
    private final AccessLog accessLog;
    /** {@code tracing}: null when not configured, so that requests pay nothing for it. */
    private final Tracing tracing;
    private final GatewayMetrics metrics;
    /** {@code metrics.otlp}, {@code statsD}, {@code datadog}, {@code influxDB2}: fed the same requests as Prometheus. */
    private final MetricsBackends pushedMetrics;
    private final ApiHandler api;
    /** {@code api@internal} and {@code dashboard@internal} when {@code api} is configured. */
    private final Map<String, Handler> apiServices;
    private volatile ApiState apiState = ApiState.EMPTY;
    /** The entry points where a certificate resolver answers HTTP-01 challenges ({@code acme-http@internal}). */
    private final List<String> acmeEntryPoints;
    private final ConfigurationWatcher watcher;
    /** What each provider said of its source: the API's /api/providers, the dashboard, the metrics. */
    private final ProviderHealth providerHealth = new ProviderHealth();
    private final List<Provider.Running> runningProviders = new ArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final RuntimeBuilder builder;
    /** The UDP entry points; none until {@link #start} opens them. */
    private volatile UdpGateway udp = UdpGateway.none();
    private volatile long generation;
    /** Health checks and passive health recoveries: never on request threads. */
    private final ScheduledExecutorService healthScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-health");
        t.setDaemon(true);
        return t;
    });

    /** By entry point, its {@code observability} switches, for the entry points that set them. */
    private static Map<String, ObservabilityConfig> entryPointObservability(GatewayAssembly assembly) {
        Map<String, ObservabilityConfig> switches = new HashMap<>();
        assembly.config.entryPoints().forEach((name, entryPoint) -> {
            if (entryPoint.observability() != null) {
                switches.put(name, entryPoint.observability());
            }
        });
        return switches;
    }

    private GatewayApplication(GatewayAssembly assembly) throws IOException, ConfigurationException {
        this.assembly = assembly;
        EntryPointPlan entryPoints = assembly.entryPoints;
        AccessLogConfig accessLogConfig = assembly.config.accessLog();
        accessLog = accessLogConfig == null ? null : new AccessLog(accessLogConfig,
                accessLogConfig.filePath() == null ? null : assembly.loaded.resolve(accessLogConfig.filePath()));
        PrometheusMetricsConfig prometheus = assembly.config.metrics() == null ? null : assembly.config.metrics().prometheus();
        metrics = prometheus == null ? null : new GatewayMetrics(prometheus);
        List<Consumer<RequestRecord>> observers = new ArrayList<>();
        if (accessLog != null) {
            observers.add(accessLog);
        }
        if (metrics != null) {
            observers.add(metrics);
        }
        pushedMetrics = MetricsBackends.of(assembly.config.metrics(), assembly.loaded::resolve);
        if (!pushedMetrics.isEmpty()) {
            observers.add(pushedMetrics);
        }
        tracing = assembly.config.tracing() == null ? null : Tracing.start(assembly.config.tracing(), Version.get());
        // Relative certificate paths are read from the working directory, as Traefik does.
        tls = new TlsManager(null, assembly.tlsEngine, assembly.config.ocsp() == null ? null
                : assembly.config.ocsp().responderOverrides());
        // Tracing reads the entry point's and the router's switches from the request's record, like the others.
        boolean observed = !observers.isEmpty() || tracing != null;
        server = new GatewayServer(entryPoints.listeners,
                assembly.config.ping() == null ? 503 : assembly.config.ping().terminatingStatusCodeOrDefault(),
                entryPoints.graceTimeout, observed ? new RequestObserver(observers, entryPointObservability(assembly),
                        accessLogConfig != null && accessLogConfig.addInternalsOrDefault(),
                        assembly.config.metrics() != null && assembly.config.metrics().addInternalsOrDefault()) : null,
                tls);
        assembly.connectStorage();   // before the resolvers, which open their storage when they start
        resolvers = new CertificateResolvers(assembly.loaded, assembly.extensions, tls);
        Map<String, List<ChallengeResponder>> challenges = new LinkedHashMap<>();
        for (String entryPoint : entryPoints.names()) {
            List<ChallengeResponder> responders = resolvers.httpChallengeResponders(entryPoint);
            if (!responders.isEmpty()) {
                challenges.put(entryPoint, responders);
            }
        }
        acmeEntryPoints = List.copyOf(challenges.keySet());
        GatewayGauges gauges = new GatewayGauges(() -> openConnections(entryPoints),
                () -> server.runtime().serverStatus(), tls::served, () -> udp.sessions(), providerHealth::statuses,
                assembly.counters);
        pushedMetrics.gauges(gauges);
        if (metrics != null) {
            metrics.gauges(gauges);
            metrics.pluginLoadFailures(assembly.plugins.problems().stream()
                    .map(p -> p.pluginId() != null ? p.pluginId() : p.file()).toList());
        }
        ApiBasePath apiBase = assembly.config.api() == null ? ApiBasePath.ROOT
                : ApiBasePath.of(assembly.config.api().basePath());
        api = assembly.config.api() == null ? null : new ApiHandler(() -> apiState, this::entryPointsForApi,
                assembly.plugins::plugins, assembly.plugins::problems, tls::served, Version.get(), apiBase)
                .providers(providerHealth::statuses);
        DashboardHandler dashboard = api == null || !assembly.config.api().dashboardOrDefault() ? null
                : new DashboardHandler(apiBase);
        // The gateway's own services: the routers of the internal provider (InternalRouters) lead to them, and so
        // may the user's routers, as in Traefik (the only way to reach them with ping.manualRouting,
        // metrics.prometheus.manualRouting or without api.insecure).
        Map<String, Handler> operations = new HashMap<>();
        if (api != null) {
            operations.put(ApiHandler.NAME, dashboard == null ? api : apiOrDashboard(api, dashboard));
            if (dashboard != null) {
                operations.put(DashboardHandler.NAME, dashboard);
            }
        }
        if (assembly.config.ping() != null) {
            operations.put(GatewayAssembly.PING_SERVICE, server.pingService());
        }
        if (metrics != null) {
            operations.put(GatewayAssembly.PROMETHEUS_SERVICE, new MetricsHandler(metrics));
        }
        if (!challenges.isEmpty()) {
            operations.put(AcmeHttpService.NAME, new AcmeHttpService(challenges));
        }
        apiServices = Map.copyOf(operations);
        // The lean client for the requests it handles, Jetty's for the rest (-Dgatehouse.leanUpstream=false: Jetty's
        // for everything); the same for each http.serversTransports entry (Transports).
        upstream = LeanUpstreamClient.selectFor(assembly.defaultUpstreamClient(server.executor()),
                assembly.upstreamSettings(), server.executor());
        server.jetty().addBean(upstream);
        builder = assembly.runtimeBuilder(upstream, server.jetty(), apiServices, healthScheduler, tls,
                resolvers.isEmpty() ? null : resolvers, tracing);
        watcher = new ConfigurationWatcher(assembly.config.providersOrDefault().providersThrottleDurationOrDefault(),
                this::apply, providerHealth);
    }

    /** By entry point, the connections open now: what the metrics report at each scrape and push. */
    private Map<String, Integer> openConnections(EntryPointPlan entryPoints) {
        Map<String, Integer> open = new java.util.LinkedHashMap<>();
        for (String name : entryPoints.names()) {
            open.put(name, server.openConnections(name));
        }
        return open;
    }

    /**
     * {@code api@internal} as Traefik's: a router to it with {@code PathPrefix(`/api`) || PathPrefix(`/dashboard`)}
     * serves both the API and the dashboard.
     */
    private static Handler apiOrDashboard(ApiHandler api, DashboardHandler dashboard) {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return dashboard.isDashboardRequest(request)
                        ? dashboard.handle(request, response, callback)
                        : api.handle(request, response, callback);
            }
        };
    }

    /** Where the static configuration came from, for the first log line (flags alone read no default). */
    private static String sources(LoadedConfiguration loaded) {
        if (loaded.configFile() != null) {
            return loaded.configFile().toString();
        }
        boolean embedded = loaded.origins().asMap().values().stream()
                .anyMatch(origin -> origin.startsWith("embedded default configuration"));
        return embedded ? "the embedded default configuration"
                : "the command-line flags and environment variables (no configuration file)";
    }

    /**
     * Starts everything the configuration describes. Errors in the static configuration are thrown; a
     * plugin or provider that fails is logged and left out.
     */
    public static GatewayApplication start(LoadedConfiguration loaded) throws Exception {
        long startNanos = System.nanoTime();
        Logging.configure(loaded.configuration().logOrDefault(), loaded::resolve);
        LOG.info("Gatehouse {} starting with {}", Version.get(), sources(loaded));
        GlobalConfig global = loaded.configuration().global();
        if (global != null && global.anySet()) {
            LOG.info(GlobalConfig.NO_EFFECT_NOTICE);
        }
        if (loaded.configuration().coreOrDefault().defaultRuleSyntax() != null) {
            LOG.warn(CoreConfig.DEPRECATION);
        }

        GatewayApplication application = new GatewayApplication(GatewayAssembly.assemble(loaded));
        LOG.info("TLS engine: {} (tlsEngine {})", application.assembly.tlsEngine.describe(),
                loaded.configuration().tlsEngineOrDefault());
        try {
            application.server.start();
        } catch (IOException e) {
            application.closeQuietly();
            throw CannotListenException.of(e, application.assembly.entryPoints.listeners);
        }
        try {
            application.udp = UdpGateway.open(application.assembly.entryPoints.udpEntryPoints);
        } catch (IOException e) {
            application.server.stop();
            application.closeQuietly();
            throw new CannotListenException(e.getMessage(), e);
        }
        application.udp.start();
        application.pushedMetrics.start();
        // After the start: a redirection to an entry point names the port it got.
        application.watcher.contextFor(GatewayAssembly.INTERNAL_PROVIDER).publish(
                application.assembly.internalConfiguration(application.server::port, application.acmeEntryPoints));
        List<String> awaited = application.startProviders();

        // "ready" is logged once the first configurations are applied, so the URLs it names answer.
        awaited.add(GatewayAssembly.INTERNAL_PROVIDER);
        application.watcher.awaitFirstSnapshots(awaited, Duration.ofSeconds(5));
        application.logProvidersNotServing();
        LOG.info("Gatehouse {} ready in {} ms: {}", Version.get(), (System.nanoTime() - startNanos) / 1_000_000,
                application.assembly.entryPoints.describe(application.server, application.assembly.config.demo() != null)
                        + application.udp.describeForLog());
        return application;
    }

    /** Starts the configured providers; returns the names of those that started. */
    private List<String> startProviders() {
        List<String> started = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : assembly.configuredProviders().entrySet()) {
            String key = entry.getKey();
            Provider<Object> provider = assembly.provider(key);
            if (provider == null) {
                LOG.error("{}; it is left out", assembly.unknownProvider(key));
                providerHealth.failed(key, assembly.unknownProvider(key));
                continue;
            }
            try {
                Object options = assembly.providerOptions(key, entry.getValue(), provider);
                runningProviders.add(provider.start(options, watcher.contextFor(provider.name())));
                started.add(provider.name());
                LOG.info("Provider {} started", provider.name());
            } catch (ConfigurationException e) {
                LOG.error("Provider {} left out: {}", provider.name(), String.join("; ", e.problems()));
                providerHealth.failed(provider.name(), String.join("; ", e.problems()));
            } catch (Exception | LinkageError e) {
                String problem = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.error("Provider {} failed to start and is left out: {}", provider.name(), problem);
                providerHealth.failed(provider.name(), problem);
            }
        }
        return started;
    }

    /**
     * After the wait for the first snapshots: says which providers do not serve yet, and that the gateway serves
     * what the others publish (a provider that cannot reach its source does not hold the start up).
     */
    private void logProvidersNotServing() {
        for (ProviderHealth.Status status : providerHealth.statuses()) {
            if (status.state() == ProviderHealth.State.DOWN) {
                // The provider said why when it happened (its problem is in /api/providers too): not repeated here.
                LOG.warn("Provider {} is down: serving what the other providers publish, and its configuration as soon "
                        + "as it can read it", status.provider());
            } else if (status.state() == ProviderHealth.State.STARTING) {
                LOG.warn("Provider {} has published nothing yet; serving what the other providers publish, and its "
                        + "configuration as soon as it publishes it", status.provider());
            }
        }
    }

    /** Builds and swaps in the runtime for the newest snapshots; runs on the watcher's thread. */
    private void apply(Map<String, ConfigurationSnapshot> snapshots) {
        GatewayRuntime runtime;
        BoundConfiguration bound;
        UdpRouting udpRouting;
        try {
            bound = assembly.binder.bind(snapshots);
            runtime = builder.build(bound);
            try {
                udpRouting = UdpRouting.build(bound.udp(), bound.problems(), assembly.entryPoints.udpSpecs(),
                        assembly.entryPoints.names());
            } catch (RuntimeException e) {
                runtime.stop();   // never served: give its transports back
                throw e;
            }
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.configurationReloaded(false);
            }
            pushedMetrics.configurationReloaded(false);
            throw e;
        }
        if (metrics != null) {
            metrics.configurationReloaded(true);
        }
        pushedMetrics.configurationReloaded(true);
        for (ConfigProblem problem : runtime.problems()) {
            LOG.error("Configuration error: {}", problem);
        }
        server.swap(runtime);
        for (ConfigProblem problem : udpRouting.problems()) {
            LOG.error("Configuration error: {}", problem);
        }
        udp.apply(udpRouting);
        apiState = new ApiState(bound, runtime, udpRouting);
        // The same counts as gatehouse check's: the user's routers, not the gateway's own (@internal) ones.
        LOG.info("Configuration applied: {}{}", runtime.model().routerCounts(),
                udpRouting.routers().isEmpty() ? "" : "; " + udpRouting.routerCounts());
        generation++;
    }

    /** The entry points as {@code /api/entrypoints} shows them. */
    private List<Map<String, Object>> entryPointsForApi() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : assembly.entryPoints.names()) {
            out.add(Map.of("name", name, "address", assembly.entryPoints.address(name), "port", server.port(name)));
        }
        out.addAll(udp.describe());
        return out;
    }

    /** How many configurations have been applied; for tests that wait for a reload. */
    public long generation() {
        return generation;
    }

    public GatewayRuntime runtime() {
        return server.runtime();
    }

    public int port(String entryPoint) {
        return udp.has(entryPoint) ? udp.port(entryPoint) : server.port(entryPoint);
    }

    /** The Jetty server under the entry points, for tests that tune a connector (a short idle timeout). */
    public org.eclipse.jetty.server.Server jetty() {
        return server.jetty();
    }

    /** What each provider said of its source, for tests. */
    public List<ProviderHealth.Status> providerStatuses() {
        return providerHealth.statuses();
    }

    public List<PluginProblem> pluginProblems() {
        return assembly.plugins.problems();
    }

    public List<LoadedPlugin> loadedPlugins() {
        return assembly.plugins.plugins();
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
        Duration acceptGrace = assembly.entryPoints.requestAcceptGraceTimeout;
        if (!acceptGrace.isZero()) {
            try {
                Thread.sleep(acceptGrace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Provider.Running running : runningProviders) {
            try {
                running.close();
            } catch (Exception e) {
                LOG.warn("Stopping a provider: {}", FailureReasons.of(e));
            }
        }
        server.stop();
        udp.stop();
        closeQuietly();
        LOG.info("Stopped");
    }

    private void closeQuietly() {
        healthScheduler.shutdownNow();
        watcher.close();
        resolvers.close();
        tls.close();
        assembly.close();
        if (accessLog != null) {
            accessLog.close();
        }
        if (tracing != null) {
            // After the server: the spans of the last requests are exported too.
            tracing.close();
        }
        Logging.closeOtlp();
        pushedMetrics.close();   // last: after the server stopped, so the final push holds every request
    }

    /** Reopens the log files ({@code log.filePath}, {@code accessLog.filePath}) after a rotation (SIGUSR1). */
    public void reopenLogs() {
        Logging.reopen();
        LOG.info("Log files reopened (SIGUSR1)");
        if (accessLog != null) {
            accessLog.reopen();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
