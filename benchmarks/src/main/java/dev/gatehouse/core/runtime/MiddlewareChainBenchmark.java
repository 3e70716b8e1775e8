package dev.gatehouse.core.runtime;

import com.google.inject.Guice;
import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.plugin.PluginHost;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a router's middleware chain costs per request: the same request routed by a router without middlewares and
 * by routers with typical ones (from the real middlewares-std plugin, loaded through PF4J as the gateway loads it),
 * to a service that answers 200 at once, through Jetty's in-memory {@link LocalConnector} (HTTP/1.1 parsing and
 * response generation included, no sockets). The difference between {@code chain=none} and another chain is the
 * chain's cost; run with {@code -prof gc} for the allocation per request.
 *
 * <p>Chains: {@code none}; {@code headers} (a request and a response header); {@code stripPrefix}
 * ({@code /api}); {@code rateLimit} (a limit never reached); {@code typical} (the three together).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar MiddlewareChain -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MiddlewareChainBenchmark {

    @Param({"none", "headers", "stripPrefix", "rateLimit", "typical"})
    public String chain;

    private PluginHost plugins;
    private Server server;
    private LocalConnector connector;
    private GatewayRuntime runtime;
    private String request;

    /** The service behind every router: 200 with no body, at once. */
    private static final class Answer200 extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(200);
            response.getHeaders().put("Content-Length", "0");
            callback.succeeded();
            return true;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path pluginsDir = Path.of(System.getProperty("gatehouse.bench.plugins", "benchmarks/target/plugins"));
        plugins = new PluginHost(pluginsDir, Guice.createInjector());
        ExtensionRegistry registry = plugins.load();
        if (registry.matcher("Host") == null || registry.middleware("headers") == null) {
            throw new IllegalStateException("matchers-http or middlewares-std not found in " + pluginsDir.toAbsolutePath()
                    + " (build first; set -Dgatehouse.bench.plugins)");
        }
        server = new Server();
        connector = new LocalConnector(server);
        server.addConnector(connector);

        Map<String, Object> middlewares = Map.of(
                "hdr", Map.of("headers", Map.of(
                        "customRequestHeaders", Map.of("X-Bench", "1"),
                        "customResponseHeaders", Map.of("X-Served-By", "gatehouse"))),
                "strip", Map.of("stripPrefix", Map.of("prefixes", List.of("/api"))),
                "limit", Map.of("rateLimit", Map.of("average", 1_000_000_000, "burst", 1_000_000_000)));
        List<String> used = switch (chain) {
            case "none" -> List.of();
            case "headers" -> List.of("hdr");
            case "stripPrefix" -> List.of("strip");
            case "rateLimit" -> List.of("limit");
            case "typical" -> List.of("hdr", "strip", "limit");
            default -> throw new IllegalArgumentException("unknown chain " + chain);
        };
        Map<String, Object> router = Map.of("rule", "Host(`bench.local`) && PathPrefix(`/api`)",
                "service", "answer@internal", "middlewares", used);
        Map<String, Object> http = Map.of("routers", Map.of("bench", router), "middlewares", middlewares);
        ConfigurationSnapshot snapshot = new ConfigurationSnapshot(List.of(ConfigurationFragment.of("bench",
                Map.of("http", http))));
        BoundConfiguration bound = new DynamicConfigurationBinder(ConfigMappers.strictMapper())
                .bind(Map.of("file", snapshot));
        runtime = new RuntimeBuilder(RuntimeSettings.builder(List.of("web"), registry)
                .internalServices(Map.of("answer@internal", new Answer200()))
                .server(server)
                .build()).build(bound);
        if (!runtime.problems().isEmpty()) {
            throw new IllegalStateException("the bench configuration has problems: " + runtime.problems());
        }
        GatewayRuntime routed = runtime;
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return routed.table(0).handle(request, response, callback);
            }
        });
        server.start();
        request = "GET /api/items/42 HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: jmh\r\nAccept: */*\r\n\r\n";
        String response = connector.getResponse(request);
        if (response == null || !response.startsWith("HTTP/1.1 200")) {
            throw new IllegalStateException("the bench request was not answered 200: " + response);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        server.stop();
        runtime.stop();
        plugins.close();
    }

    /** One request through routing, the chain and the service, parsed and answered by Jetty in memory. */
    @Benchmark
    public String request() throws Exception {
        return connector.getResponse(request);
    }
}
