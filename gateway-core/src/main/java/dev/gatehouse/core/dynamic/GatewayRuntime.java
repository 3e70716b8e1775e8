package dev.gatehouse.core.dynamic;

import dev.gatehouse.core.router.RoutingTable;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything built from one configuration: a routing table per entry point (indexed like the entry
 * points), the components that were started for it, and what was found wrong. Immutable; replaced whole
 * on reload while requests in flight finish on the one they started on.
 */
public final class GatewayRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

    public static final GatewayRuntime EMPTY = new GatewayRuntime(new RoutingTable[0], List.of(), List.of(), Map.of());

    private final RoutingTable[] tables;
    private final List<LifeCycle> components;
    private final List<ConfigProblem> problems;
    private final Map<String, String> routerStatus;

    GatewayRuntime(RoutingTable[] tables, List<LifeCycle> components, List<ConfigProblem> problems,
            Map<String, String> routerStatus) {
        this.tables = tables;
        this.components = List.copyOf(components);
        this.problems = List.copyOf(problems);
        this.routerStatus = Map.copyOf(routerStatus);
    }

    /** The table of the entry point with that index; an empty one (404 for all) if there is none. */
    public RoutingTable table(int entryPointIndex) {
        return entryPointIndex >= 0 && entryPointIndex < tables.length ? tables[entryPointIndex] : RoutingTable.EMPTY;
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    /** Router name to {@code enabled} or {@code disabled}. */
    public Map<String, String> routerStatus() {
        return routerStatus;
    }

    /** Stops the components that were started for this runtime (middleware handlers). */
    public void stop() {
        for (LifeCycle component : components) {
            try {
                component.stop();
            } catch (Exception e) {
                LOG.warn("Stopping {}: {}", component, e.toString());
            }
        }
    }
}
