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
 * table of 10, 1,000 or 10,000 routers, and the cost of building such a table (compiling every rule with
 * the real matchers-http plugin, loaded through PF4J as the gateway loads it).
 *
 * <p>The routers are what a large installation has: mostly {@code Host} rules (90%), some
 * {@code Host && PathPrefix} (5%), some path-only rules (5%, which every request must be tested against).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar RouteSelection -p routers=10,1000,10000}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouteSelectionBenchmark {

    @Param({"10", "1000", "10000"})
    public int routers;

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
        rules = rules(routers);
        table = build();

        Random random = new Random(42);
        requests = new RoutingRequest[1024];
        for (int i = 0; i < requests.length; i++) {
            int service = random.nextInt(routers);
            String path = random.nextInt(10) == 0 ? "/api/items/" + i : "/index.html";
            requests[i] = new RoutingRequest("svc" + service + ".example.com", path);
        }
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
