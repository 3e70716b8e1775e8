package dev.gatehouse.core.runtime;

import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.config.ConfigMappers;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.DynamicConfigurationBinder;
import dev.gatehouse.core.internal.NoopService;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.router.RoutingTable;
import java.util.List;
import java.util.Map;

/** Runtimes for tests: made directly from routing tables, or built from providers' snapshots. */
public final class TestRuntimes {

    private TestRuntimes() {
    }

    public static GatewayRuntime of(RoutingTable... tables) {
        return new GatewayRuntime(tables);
    }

    /**
     * The runtime the gateway would build from these snapshots (provider name to snapshot), on one entry point
     * {@code web}, with a {@code Host} matcher that matches nothing and {@code noop@internal}: for tests that look
     * at what a configuration becomes, not at requests.
     */
    public static GatewayRuntime built(Map<String, ConfigurationSnapshot> snapshots) {
        BoundConfiguration bound = new DynamicConfigurationBinder(ConfigMappers.strictMapper()).bind(snapshots);
        ExtensionRegistry.Builder extensions = ExtensionRegistry.builder();
        extensions.add(ExtensionKind.MATCHER, hostMatchingNothing());
        return new RuntimeBuilder(RuntimeSettings.builder(List.of("web"), extensions.build())
                .internalServices(Map.of(NoopService.NAME, new NoopService())).build()).build(bound);
    }

    /** A {@code Host} matcher that takes one argument and matches no request. */
    static Matcher hostMatchingNothing() {
        return new Matcher() {
            @Override
            public String name() {
                return "Host";
            }

            @Override
            public RequestPredicate compile(List<String> arguments) {
                Matcher.requireArguments(this, arguments, 1);
                return request -> false;
            }
        };
    }
}
