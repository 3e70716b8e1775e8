package dev.gatehouse.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ProblemKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a runtime reports of each element: every router published is counted once, as enabled or disabled. */
class RuntimeModelTest {

    private static final Map<String, Object> SERVICE = Map.of("loadBalancer",
            Map.of("servers", List.of(Map.of("url", "http://127.0.0.1:1"))));

    private static GatewayRuntime build(Map<String, ConfigurationSnapshot> snapshots) {
        return TestRuntimes.built(snapshots);
    }

    private static ConfigurationSnapshot http(String origin, Map<String, Object> routers, Map<String, Object> services) {
        return ConfigurationSnapshot.of(ConfigurationFragment.of(origin,
                Map.of("http", Map.of("routers", routers, "services", services))));
    }

    @Test
    void aRouterWithAMistypedKeyIsDisabledAndCountedSo() {
        Map<String, ConfigurationSnapshot> snapshots = new LinkedHashMap<>();
        snapshots.put("file", http("dyn.yml", Map.of(
                "good", Map.of("rule", "Host(`a`)", "service", "s"),
                "typo", Map.of("rule", "Host(`b`)", "servce", "s")), Map.of("s", SERVICE)));
        GatewayRuntime runtime = build(snapshots);

        RouterInfo typo = runtime.model().router("typo@file");
        assertEquals(Status.DISABLED, typo.status());
        assertNull(typo.config(), "it could not be read");
        assertEquals("file", typo.origin().provider());
        assertTrue(typo.origin().location().startsWith("dyn.yml"), typo.origin().toString());
        assertEquals(List.of(ProblemKind.INVALID), typo.errors().stream().map(ConfigProblem::kind).toList());
        assertTrue(typo.errors().get(0).message().contains("servce"), typo.errors().toString());
        assertEquals(new RuntimeModel.RouterCounts(1, 0, 1), runtime.model().routerCounts());
        assertEquals("1 router(s) enabled (0 with warnings), 1 disabled", runtime.model().routerCounts().toString());
        assertEquals("disabled", runtime.routerStatus().get("typo@file"));
    }

    @Test
    void theGatewaysOwnRoutersAreNotCountedAsTheUsers() {
        Map<String, ConfigurationSnapshot> snapshots = new LinkedHashMap<>();
        snapshots.put("internal", http("the gateway", Map.of("demo", Map.of("rule", "Host(`demo`)",
                "service", "noop@internal")), Map.of()));
        snapshots.put("file", http("dyn.yml", Map.of("mine", Map.of("rule", "Host(`a`)", "service", "s"),
                "broken", Map.of("rule", "Host(`b`) &&", "service", "s")), Map.of("s", SERVICE)));
        GatewayRuntime runtime = build(snapshots);

        assertEquals(Status.ENABLED, runtime.model().router("demo@internal").status(), "it serves, and the API shows it");
        assertTrue(runtime.model().router("demo@internal").internal());
        assertEquals(new RuntimeModel.RouterCounts(1, 0, 1), runtime.model().routerCounts(),
                "the log and gatehouse check count the user's routers alike");
    }

    @Test
    void aServiceThatCannotBeReadIsDisabledWithItsUsers() {
        Map<String, ConfigurationSnapshot> snapshots = new LinkedHashMap<>();
        snapshots.put("file", http("dyn.yml", Map.of("r", Map.of("rule", "Host(`a`)", "service", "s")),
                Map.of("s", Map.of("loadBalancer", Map.of("serverz", List.of())))));
        GatewayRuntime runtime = build(snapshots);

        ServiceInfo service = runtime.model().service("s@file");
        assertEquals(Status.DISABLED, service.status());
        assertEquals(List.of("r@file"), service.usedBy());
        assertEquals(List.of(ProblemKind.INVALID), service.errors().stream().map(ConfigProblem::kind).toList());
        RouterInfo router = runtime.model().router("r@file");
        assertEquals(Status.DISABLED, router.status());
        assertEquals(List.of(ProblemKind.MISSING_SERVICE), router.errors().stream().map(ConfigProblem::kind).toList());
        assertEquals(List.of(ConfigElement.service("s@file"), ConfigElement.router("r@file")),
                runtime.problems().stream().map(ConfigProblem::subject).toList());
    }
}
