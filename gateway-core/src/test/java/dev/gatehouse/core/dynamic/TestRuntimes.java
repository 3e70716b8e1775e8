package dev.gatehouse.core.dynamic;

import dev.gatehouse.core.router.RoutingTable;
import java.util.List;
import java.util.Map;

/** Runtimes made directly from routing tables, for server tests that need no configuration. */
public final class TestRuntimes {

    private TestRuntimes() {
    }

    public static GatewayRuntime of(RoutingTable... tables) {
        return new GatewayRuntime(tables, List.of(), List.of(), List.of(), List.of(), Map.of());
    }
}
