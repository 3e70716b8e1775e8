package dev.gatehouse.core.router;

import com.google.inject.Guice;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.plugin.PluginHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * Route selection time against the number of routers: the cost of finding the router for one request in a
 * table of 1, 1,000, 10,000 or 100,000 routers, and the cost of building such a table (compiling every rule with
 * the real matchers-http plugin, loaded through PF4J as the gateway loads it). The goal: 100,000 routers route at
 * the cost of 1 (the table is indexed by host and by path prefix, see {@link RoutingTable}).
 *
 * <p>Two mixes of routers ({@code mix}):
 * <ul>
 *   <li>{@code host}: what a large installation of virtual hosts has: mostly {@code Host} rules (90%), some
 *       {@code Host && PathPrefix} (5%), some path-only rules (5%, {@code PathPrefix(`/static/<n>/`)});</li>
 *   <li>{@code path}: one host cut into paths: {@code PathPrefix(`/svc<n>/`)} (90%), {@code Path && Method}
 *       (5%), and {@code Host && PathPrefix} (5%).</li>
 * </ul>
 * Each request is for the host or path of a random router (a tenth to a path below {@code /api}).
 * Run (allocation per request with {@code -prof gc}):
 * {@code java -jar benchmarks/target/benchmarks.jar RouteSelection -p routers=1,1000,10000,100000 -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouteSelectionBenchmark {

    @Param({"1", "1000", "10000", "100000"})
    public int routers;

    @Param({"host", "path"})
    public String mix;

    private PluginHost plugins;
    private RuleCompiler compiler;
    private List<String> rules;
    private RoutingTable table;
    private RoutingRequest[] requests;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path pluginsDir = Path.of(System.getProperty("gatehouse.bench.plugins", "benchmarks/target/plugins"));
        plugins = new PluginHost(pluginsDir, Guice.createInjector());
        ExtensionRegistry registry = plugins.load();
        if (registry.matcher("Host") == null) {
            throw new IllegalStateException("matchers-http not found in " + pluginsDir.toAbsolutePath()
                    + " (build first; set -Dgatehouse.bench.plugins)");
        }
        compiler = new RuleCompiler(registry);
        rules = "path".equals(mix) ? pathRules(routers) : rules(routers);
        table = build();

        Random random = new Random(42);
        requests = new RoutingRequest[1024];
        for (int i = 0; i < requests.length; i++) {
            int service = random.nextInt(routers);
            if ("path".equals(mix)) {
                String path = random.nextInt(10) == 0 ? "/api/items/" + i : "/svc" + service + "/index.html";
                requests[i] = new RoutingRequest("app.example.com", path);
            } else {
                String path = random.nextInt(10) == 0 ? "/api/items/" + i : "/index.html";
                requests[i] = new RoutingRequest("svc" + service + ".example.com", path);
            }
        }
    }

    /** The {@code path} mix: one host, routed by path. */
    static List<String> pathRules(int count) {
        List<String> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int kind = i % 20;
            if (kind == 0) {
                rules.add("Host(`svc" + i + ".example.com`) && PathPrefix(`/api`)");
            } else if (kind == 1) {
                rules.add("Path(`/svc" + i + "/health`) && Method(`GET`)");
            } else {
                rules.add("PathPrefix(`/svc" + i + "/`)");
            }
        }
        return rules;
    }

    static List<String> rules(int count) {
        List<String> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int kind = i % 20;
            if (kind == 0) {
                rules.add("Host(`svc" + i + ".example.com`) && PathPrefix(`/api`)");
            } else if (kind == 1) {
                rules.add("PathPrefix(`/static/" + i + "/`)");
            } else {
                rules.add("Host(`svc" + i + ".example.com`)");
            }
        }
        return rules;
    }

    private RoutingTable build() throws RuleSyntaxException {
        List<Route> routes = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            String rule = rules.get(i);
            RequestPredicate predicate = compiler.compile(rule);
            routes.add(new Route("r" + i + "@bench", rule.length(), predicate, null));
        }
        return new RoutingTable(routes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plugins.close();
    }

    /** Finding the route of one request. */
    @Benchmark
    public Route select() {
        RoutingRequest request = requests[next++ & (requests.length - 1)];
        return table.match(request);
    }

    /** Compiling every rule and building the table, as a reload does. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 5)
    @Measurement(iterations = 10)
    public RoutingTable buildTable() throws RuleSyntaxException {
        return build();
    }
}
