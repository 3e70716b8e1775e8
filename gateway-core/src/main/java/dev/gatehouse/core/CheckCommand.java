package dev.gatehouse.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.ProviderContext;
import dev.gatehouse.core.api.ApiHandler;
import dev.gatehouse.core.api.ApiState;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.udp.UdpRouting;
import dev.gatehouse.core.runtime.GatewayRuntime;
import dev.gatehouse.core.runtime.RuntimeModel;
import dev.gatehouse.core.internal.NoopService;
import dev.gatehouse.core.tls.CertificateDemands;
import dev.gatehouse.core.tls.CertificateResolvers;
import dev.gatehouse.core.tls.TlsManager;
import java.util.Set;
import dev.gatehouse.core.plugin.PluginProblem;
import dev.gatehouse.core.proxy.JettyUpstreamClient;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;

/**
 * {@code gatehouse check}: validates the static configuration, the plugins and the dynamic configuration the
 * providers read (files, typically), without listening anywhere, and prints every error with where it comes
 * from. Builds the same routing tables the gateway would, so it finds the same errors.
 */
public final class CheckCommand {

    /** How long a provider gets to publish its first snapshot; a file provider does it at once. */
    private static final long FIRST_SNAPSHOT_SECONDS = 5;

    private CheckCommand() {
    }

    /** As {@link #run(LoadedConfiguration, PrintStream, PrintStream)}, with the errors on {@code out} too. */
    public static int run(LoadedConfiguration loaded, PrintStream out) {
        return run(loaded, out, out);
    }

    /**
     * @param out where the verdict goes when the configuration is valid
     * @param err where the errors go (stderr on the command line, as the gateway prints its own)
     * @return the exit status: 0 when there is nothing to fix, 1 otherwise
     */
    public static int run(LoadedConfiguration loaded, PrintStream out, PrintStream err) {
        List<String> errors = new ArrayList<>();
        RuntimeModel.RouterCounts routers = null;
        try (GatewayAssembly assembly = GatewayAssembly.assemble(loaded)) {
            for (PluginProblem problem : assembly.plugins.problems()) {
                errors.add(problem.toString());
            }
            Map<String, ConfigurationSnapshot> snapshots = new LinkedHashMap<>();
            // Without acme-http@internal: check starts no certificate resolver, so none answers challenges.
            snapshots.put(GatewayAssembly.INTERNAL_PROVIDER,
                    assembly.internalConfiguration(assembly.entryPoints::configuredPort, List.of()));
            for (Map.Entry<String, JsonNode> entry : assembly.configuredProviders().entrySet()) {
                readProvider(assembly, entry.getKey(), entry.getValue(), snapshots, errors, out);
            }
            Server jetty = new Server();
            JettyUpstreamClient upstream = assembly.defaultUpstreamClient(null);
            GatewayRuntime runtime;
            // Loads certificates and TLS options as the gateway would, so that their errors show here too.
            errors.addAll(CertificateResolvers.check(loaded, assembly.extensions));
            Set<String> resolvers = loaded.configuration().certificatesResolvers().keySet();
            CertificateDemands knownResolvers = (byResolver, problems) -> byResolver.forEach((name, domains) -> {
                if (!resolvers.contains(name)) {
                    problems.addAll(CertificateDemands.unavailable(domains.values(),
                            "certificate resolver '" + name + "' is not configured (known: "
                            + (resolvers.isEmpty() ? "none" : String.join(", ", resolvers)) + ")"));
                }
            });
            // So that routers to api@internal, ping@internal and prometheus@internal check as they would run.
            Map<String, Handler> operations = assembly.operationServiceStandIns(new NoopService());
            if (assembly.config.api() != null) {
                operations.put(ApiHandler.NAME, new ApiHandler(() -> ApiState.EMPTY, List::of, List::of, List::of,
                        List::of, Version.get()));
            }
            BoundConfiguration bound = assembly.binder.bind(snapshots);
            try (TlsManager tls = new TlsManager(null, assembly.tlsEngine)) {
                runtime = assembly.runtimeBuilder(upstream, jetty, operations, null,
                                tls, knownResolvers, null)
                        .build(bound);
            }
            for (ConfigProblem problem : runtime.problems()) {
                errors.add(problem.toString());
            }
            // The UDP routers and services as the running gateway builds them (GatewayApplication.apply).
            for (ConfigProblem problem : UdpRouting.build(bound.udp(), bound.problems(),
                    assembly.entryPoints.udpSpecs(), assembly.entryPoints.names()).problems()) {
                errors.add(problem.toString());
            }
            routers = runtime.model().routerCounts();
            runtime.stop();
        } catch (ConfigurationException e) {
            errors.addAll(e.problems());
        }
        if (errors.isEmpty()) {
            out.println("gatehouse check: the configuration is valid (" + (routers == null ? 0 : routers.serving())
                    + " router(s) ready to serve)");
            return 0;
        }
        err.println("gatehouse check: " + errors.size() + (errors.size() == 1 ? " error" : " errors") + ":");
        errors.forEach(error -> err.println("  - " + error));
        if (routers != null) {
            // As the gateway would log it once the configuration is applied.
            err.println("gatehouse check: " + routers);
        }
        return 1;
    }

    private static void readProvider(GatewayAssembly assembly, String key, JsonNode options,
            Map<String, ConfigurationSnapshot> snapshots, List<String> errors, PrintStream out) {
        Provider<Object> provider = assembly.provider(key);
        if (provider == null) {
            errors.add(assembly.unknownProvider(key));
            return;
        }
        // The provider's first word: a snapshot, or what keeps it from reading its source (then check need not wait).
        CompletableFuture<ConfigurationSnapshot> first = new CompletableFuture<>();
        CompletableFuture<String> unavailable = new CompletableFuture<>();
        ProviderContext context = new ProviderContext() {
            @Override
            public void publish(ConfigurationSnapshot snapshot) {
                first.complete(snapshot);
            }

            @Override
            public void reportUnavailable(String problem) {
                unavailable.complete(problem);
            }
        };
        try (Provider.Running running = provider.start(assembly.providerOptions(key, options, provider), context)) {
            CompletableFuture.anyOf(first, unavailable).get(FIRST_SNAPSHOT_SECONDS, TimeUnit.SECONDS);
            if (first.isDone()) {
                snapshots.put(provider.name(), first.join());
            } else {
                out.println("gatehouse check: provider " + provider.name() + " cannot read its configuration: "
                        + unavailable.join() + "; its configuration is not checked");
            }
        } catch (ConfigurationException e) {
            errors.addAll(e.problems());
        } catch (TimeoutException e) {
            out.println("gatehouse check: provider " + provider.name() + " published nothing within "
                    + FIRST_SNAPSHOT_SECONDS + " s; its configuration is not checked");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            errors.add("provider " + provider.name() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }
}
