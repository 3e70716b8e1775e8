package dev.gatehouse.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.runtime.GatewayRuntime;
import dev.gatehouse.core.runtime.TestRuntimes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API renders the runtime model in Traefik's shape, elements that could not be read included. */
class ApiModelRenderingTest {

    private final ApiHandler api = new ApiHandler(() -> ApiState.EMPTY, List::of, List::of, List::of, List::of, "test");

    @Test
    void aRouterWithAMistypedKeyIsListedDisabledWithItsErrorAndTheOthersAsBefore() {
        GatewayRuntime runtime = TestRuntimes.built(Map.of("file", ConfigurationSnapshot.of(ConfigurationFragment.of(
                "dyn.yml", Map.of("http", Map.of(
                        "routers", Map.of(
                                "good", Map.of("rule", "Host(`a`)", "service", "s"),
                                "typo", Map.of("rule", "Host(`b`)", "servce", "s")),
                        "services", Map.of("s", Map.of("loadBalancer",
                                Map.of("servers", List.of(Map.of("url", "http://127.0.0.1:1")))))))))));
        ApiState state = new ApiState(new BoundConfiguration(Map.of(), Map.of(), Map.of(), List.of()), runtime);

        Map<String, Map<String, Object>> routers = new java.util.HashMap<>();
        api.routers(state).forEach(router -> routers.put((String) router.get("name"), router));

        Map<String, Object> good = routers.get("good@file");
        assertEquals("enabled", good.get("status"));
        assertEquals("Host(`a`)", good.get("rule"));
        assertEquals("s", good.get("service"));
        assertEquals("file", good.get("provider"));
        assertEquals("dyn.yml", good.get("origin"));
        assertFalse(good.containsKey("error"));

        Map<String, Object> typo = routers.get("typo@file");
        assertEquals("disabled", typo.get("status"));
        assertEquals("file", typo.get("provider"));
        assertEquals(1, ((List<?>) typo.get("error")).size(), typo.toString());
        assertFalse(typo.containsKey("rule"), "its configuration could not be read: " + typo);

        Map<String, Map<String, Object>> services = new java.util.HashMap<>();
        api.services(state).forEach(service -> services.put((String) service.get("name"), service));
        Map<String, Object> service = services.get("s@file");
        assertEquals("enabled", service.get("status"));
        assertEquals("loadbalancer", service.get("type"));
        assertEquals(List.of("good@file"), service.get("usedBy"), "a router that could not be read uses nothing");
        assertEquals(Map.of("http://127.0.0.1:1", "UP"), service.get("serverStatus"));

        Map<String, Object> noop = services.get("noop@internal");
        assertEquals("enabled", noop.get("status"), "the gateway's own services are listed, as in Traefik");
        assertEquals("internal", noop.get("provider"));
        assertEquals(List.of(), noop.get("usedBy"));
        assertFalse(noop.containsKey("type"), noop.toString());
    }
}
