package dev.gatehouse.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.Provider;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ConfigurationWatcher;
import dev.gatehouse.core.dynamic.GatewayRuntime;
import dev.gatehouse.core.dynamic.RuntimeBuilder;
import dev.gatehouse.core.logging.Logging;
import dev.gatehouse.core.plugin.LoadedPlugin;
import dev.gatehouse.core.plugin.PluginProblem;
import dev.gatehouse.core.proxy.JettyUpstreamClient;
import dev.gatehouse.core.server.GatewayServer;
import dev.gatehouse.core.tls.CertificateResolvers;
import dev.gatehouse.core.tls.TlsManager;
import dev.gatehouse.api.ChallengeResponder;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final JettyUpstreamClient upstream;
    private final TlsManager tls;
    private final CertificateResolvers resolvers;
    private final ConfigurationWatcher watcher;
    private final List<Provider.Running> runningProviders = new ArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Made once the server runs: redirections need the ports the entry points got. */
    private volatile RuntimeBuilder builder;
    private volatile long generation;

    private GatewayApplication(GatewayAssembly assembly) {
        this.assembly = assembly;
        EntryPointPlan entryPoints = assembly.entryPoints;
        // Relative certificate paths are read from the working directory, as Traefik does.
        tls = new TlsManager(null);
        server = new GatewayServer(entryPoints.listeners, entryPoints.pingIndex,
                assembly.config.ping() == null ? 503 : assembly.config.ping().terminatingStatusCodeOrDefault(),
                entryPoints.graceTimeout, tls);
        resolvers = new CertificateResolvers(assembly.loaded, assembly.extensions, tls);
        ChallengeResponder[][] challenges = new ChallengeResponder[entryPoints.listeners.size()][];
        for (int i = 0; i < challenges.length; i++) {
            List<ChallengeResponder> responders = resolvers.httpChallengeResponders(entryPoints.listeners.get(i).name());
            challenges[i] = responders.isEmpty() ? null : responders.toArray(new ChallengeResponder[0]);
        }
        server.httpChallenges(challenges);
        upstream = new JettyUpstreamClient(assembly.upstreamSettings(), server.executor());
        server.jetty().addBean(upstream);
        watcher = new ConfigurationWatcher(assembly.config.providersOrDefault().providersThrottleDurationOrDefault(),
                this::apply);
    }

    /**
     * Starts everything the configuration describes. Errors in the static configuration are thrown; a
     * plugin or provider that fails is logged and left out.
     */
    public static GatewayApplication start(LoadedConfiguration loaded) throws Exception {
        long startNanos = System.nanoTime();
        Logging.configure(loaded.configuration().logOrDefault().levelOrDefault(),
                loaded.configuration().logOrDefault().formatOrDefault());
        LOG.info("Gatehouse {} starting with {}", Version.get(),
                loaded.configFile() == null ? "the embedded default configuration" : loaded.configFile());

        GatewayApplication application = new GatewayApplication(GatewayAssembly.assemble(loaded));
        try {
            application.server.start();
        } catch (IOException e) {
            application.closeQuietly();
            throw new ConfigurationException(bindFailure(e, application.assembly.entryPoints));
        }
        application.builder = application.assembly.runtimeBuilder(application.server::port, application.upstream,
                application.server.jetty(), application.tls,
                application.resolvers.isEmpty() ? null : application.resolvers);
        application.watcher.contextFor(GatewayAssembly.INTERNAL_PROVIDER).publish(application.assembly.internalConfiguration());
        List<String> awaited = application.startProviders();

        // "ready" is logged once the first configurations are applied, so the URLs it names answer.
        awaited.add(GatewayAssembly.INTERNAL_PROVIDER);
        application.watcher.awaitFirstSnapshots(awaited, Duration.ofSeconds(5));
        LOG.info("Gatehouse {} ready in {} ms: {}", Version.get(), (System.nanoTime() - startNanos) / 1_000_000,
                application.assembly.entryPoints.describe(application.server, application.assembly.config.demo() != null));
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
                continue;
            }
            try {
                Object options = assembly.providerOptions(key, entry.getValue(), provider);
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

    /** Builds and swaps in the runtime for the newest snapshots; runs on the watcher's thread. */
    private void apply(Map<String, ConfigurationSnapshot> snapshots) {
        GatewayRuntime runtime = builder.build(assembly.binder.bind(snapshots));
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
                LOG.warn("Stopping a provider: {}", e.toString());
            }
        }
        server.stop();
        closeQuietly();
        LOG.info("Stopped");
    }

    private void closeQuietly() {
        watcher.close();
        resolvers.close();
        tls.close();
        assembly.close();
    }

    @Override
    public void close() {
        stop();
    }

    private static String bindFailure(IOException e, EntryPointPlan entryPoints) {
        String reason = e instanceof BindException || String.valueOf(e.getMessage()).contains("in use")
                ? "the address is already in use" : e.getMessage();
        return "cannot listen on the entry points " + entryPoints.addresses() + ": " + reason + " (" + e + ")";
    }
}
