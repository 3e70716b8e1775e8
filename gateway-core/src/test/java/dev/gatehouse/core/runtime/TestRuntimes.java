package dev.gatehouse.core.runtime;

import dev.gatehouse.core.router.RoutingTable;

/** Runtimes made directly from routing tables, for server tests that need no configuration. */
public final class TestRuntimes {

    private TestRuntimes() {
    }

    public static GatewayRuntime of(RoutingTable... tables) {
        return new GatewayRuntime(tables);
    }
}
