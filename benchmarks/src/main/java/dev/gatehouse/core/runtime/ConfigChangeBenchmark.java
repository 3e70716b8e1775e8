package dev.gatehouse.core.runtime;

import com.google.inject.Guice;
import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.plugin.PluginHost;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * What the configuration thread does for a one-router change to a file of many routers, once the JIT is warm:
 * bind what the file provider published (a new tree for the whole file, equal but for one router's rule) and build
 * the runtime, retiring the one before. The file's parse (the watch thread) is not in it. Routers are
 * {@code bench/routers.sh}'s mix, all to one load balancer, with the real matchers-http plugin loaded through PF4J.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar ConfigChange -prof gc}. On a shared machine JMH's wall
 * times mean little; {@link #main} measures the configuration thread's CPU time instead:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.gatehouse.core.runtime.ConfigChangeBenchmark [routers]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConfigChangeBenchmark {

    @Param({"10000"})
    public int routers;

    private PluginHost plugins;
    private DynamicConfigurationBinder binder;
    private RuntimeBuilder builder;
    private GatewayRuntime current;
    private int change;
    private Map<String, ConfigurationSnapshot> next;

    @Setup(Level.Trial)
    public void setUp() {
        Path pluginsDir = Path.of(System.getProperty("gatehouse.bench.plugins", "benchmarks/target/plugins"));
        plugins = new PluginHost(pluginsDir, Guice.createInjector());
        ExtensionRegistry registry = plugins.load();
        if (registry.matcher("Host") == null) {
            throw new IllegalStateException("matchers-http not found in " + pluginsDir.toAbsolutePath()
                    + " (build first; set -Dgatehouse.bench.plugins)");
        }
        binder = new DynamicConfigurationBinder(ConfigMappers.strictMapper());
        builder = new RuntimeBuilder(RuntimeSettings.builder(List.of("web"), registry)
                .defaultEntryPoints(List.of("web")).providersPrecedence(List.of("docker", "file")).build());
        current = builder.build(binder.bind(snapshot("svc2.example.com")));
    }

    /** The file as the provider publishes it after a change: new trees throughout, router r2's host changed. */
    private Map<String, ConfigurationSnapshot> snapshot(String changedHost) {
        Map<String, Object> routerTrees = new LinkedHashMap<>();
        routerTrees.put("app", tree("rule", "Host(`app.local`)", "service", "app"));
        for (int r = 1; r < routers; r++) {
            int kind = r % 20;
            String host = r == 2 ? changedHost : "svc" + r + ".example.com";
            String rule = kind == 0 ? "Host(`" + host + "`) && PathPrefix(`/api`)"
                    : kind == 1 ? "PathPrefix(`/static/" + r + "/`)" : "Host(`" + host + "`)";
            routerTrees.put("r" + r, tree("rule", rule, "service", "app"));
        }
        Map<String, Object> servers = tree("servers", List.of(tree("url", "http://127.0.0.1:9001"),
                tree("url", "http://127.0.0.1:9002")));
        Map<String, Object> http = tree("routers", routerTrees, "services", tree("app", tree("loadBalancer", servers)));
        return Map.of("file", ConfigurationSnapshot.of(ConfigurationFragment.of("/etc/gatehouse/dynamic.yml",
                tree("http", http))));
    }

    private static Map<String, Object> tree(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Setup(Level.Invocation)
    public void nextChange() {
        next = snapshot("changed" + (change++) + ".example.com");
    }

    /** Binding and building a one-router change; the previous runtime is stopped, as the gateway retires it. */
    @Benchmark
    public GatewayRuntime applyOneRouterChange() {
        GatewayRuntime built = builder.build(binder.bind(next));
        current.stop();
        current = built;
        return built;
    }

    /**
     * The CPU time of this thread per one-router change (bind and build; not the JIT's or the collector's threads),
     * median and quartiles of 40 changes after 30 that warm the JIT up, and the bytes it allocates (the steadier
     * measure on a shared machine).
     */
    public static void main(String[] args) {
        ConfigChangeBenchmark bench = new ConfigChangeBenchmark();
        bench.routers = args.length > 0 ? Integer.parseInt(args[0]) : 10000;
        bench.setUp();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] cpu = new long[40];
        long[] allocated = new long[cpu.length];
        for (int i = -30; i < cpu.length; i++) {
            bench.nextChange();
            long before = threads.getCurrentThreadCpuTime();
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            bench.applyOneRouterChange();
            if (i >= 0) {
                cpu[i] = threads.getCurrentThreadCpuTime() - before;
                allocated[i] = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            }
        }
        bench.tearDown();
        java.util.Arrays.sort(cpu);
        java.util.Arrays.sort(allocated);
        System.out.printf("%d routers, one-router change, configuration thread CPU: median %.1f ms"
                + " (quartiles %.1f-%.1f); allocated %.1f MB%n",
                bench.routers, cpu[20] / 1e6, cpu[10] / 1e6, cpu[30] / 1e6, allocated[20] / 1e6);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        current.stop();
        plugins.close();
    }
}
