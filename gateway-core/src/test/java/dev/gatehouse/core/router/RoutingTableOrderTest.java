package dev.gatehouse.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.core.config.ProvidersConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The order routes are tried in: priority, then Traefik's {@code providers.precedence} among equal priorities,
 * then name (Traefik's mux_test.go, providers precedence cases).
 */
class RoutingTableOrderTest {

    private static Route route(String name, int priority) {
        return new Route(name, priority, request -> true, null);
    }

    private static final List<Route> ROUTES = List.of(route("a@file", 10), route("b@docker", 10),
            route("c@internal", 10), route("d@file", 11), route("e@myplugin", 10));

    private static List<String> order(List<String> precedence) {
        return new RoutingTable(ROUTES, RoutingTable.order(precedence)).routes().stream().map(Route::name).toList();
    }

    @Test
    void traefiksDefaultPrecedencePutsDockerBeforeFileAtEqualPriority() {
        assertEquals(List.of("d@file", "b@docker", "a@file", "c@internal", "e@myplugin"),
                order(ProvidersConfig.TRAEFIK_PRECEDENCE));
    }

    @Test
    void theConfiguredPrecedenceDecidesBetweenEqualPrioritiesOnly() {
        assertEquals(List.of("d@file", "e@myplugin", "a@file", "b@docker", "c@internal"),
                order(List.of("myplugin", "file", "docker")));
    }

    @Test
    void withoutPrecedenceEqualPrioritiesGoByName() {
        assertEquals(List.of("d@file", "a@file", "b@docker", "c@internal", "e@myplugin"),
                new RoutingTable(ROUTES).routes().stream().map(Route::name).toList());
    }

    /** A provider is ranked by its name in lower case (a plugin may spell its own with capitals); no '@': unranked. */
    @Test
    void aProviderWrittenInCapitalsIsRankedByItsLowerCaseName() {
        List<Route> routes = List.of(route("a@file", 10), route("b@MyPlugin", 10), route("c", 10),
                route("d@myplugi", 10), route("e@\u0130nternal", 10), route("myplugin", 10));
        assertEquals(List.of("b@MyPlugin", "a@file", "c", "d@myplugi", "e@\u0130nternal", "myplugin"),
                new RoutingTable(routes, RoutingTable.order(List.of("myplugin", "file"))).routes().stream()
                        .map(Route::name).toList());
        assertEquals(List.of("e@\u0130nternal", "a@file", "b@MyPlugin", "c", "d@myplugi", "myplugin"),
                new RoutingTable(routes, RoutingTable.order(List.of("\u0130nternal".toLowerCase(java.util.Locale.ROOT),
                        "file"))).routes().stream().map(Route::name).toList());
    }
}
