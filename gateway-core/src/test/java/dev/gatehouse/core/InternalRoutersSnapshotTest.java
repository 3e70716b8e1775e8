package dev.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gatehouse.core.config.StaticConfiguration;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the internal provider publishes for a static configuration: which routers, with which rules and ports. */
class InternalRoutersSnapshotTest {

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private Map<String, Object> http(List<String> acme, String... flags) throws Exception {
        StaticConfiguration config = StaticConfigurationLoader.load(List.of(flags), Map.of(), dir, null).configuration();
        EntryPointPlan plan = EntryPointPlan.from(config);
        Map<String, Object> content = InternalRouters.snapshot(config, plan, name -> 8000 + plan.indexOf(name), acme)
                .fragments().get(0).content();
        return (Map<String, Object>) content.get("http");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> router(Map<String, Object> http, String name) {
        return (Map<String, Object>) ((Map<String, Object>) http.get("routers")).get(name);
    }

    @Test
    void manualRoutingLeavesOutTheRoutersButNotTheOthers() throws Exception {
        Map<String, Object> http = http(List.of(), "--entryPoints.web.address=:80", "--ping.manualRouting=true",
                "--metrics.prometheus.manualRouting=true", "--api.insecure=true");
        assertNull(router(http, "ping"));
        assertNull(router(http, "prometheus"));
        assertEquals("PathPrefix(`/api`)", router(http, "api").get("rule"));
        assertEquals(List.of("gatehouse"), router(http, "api").get("entryPoints"));
    }

    @Test
    void theApiAndDashboardRulesFollowTheBasePath() throws Exception {
        Map<String, Object> http = http(List.of(), "--entryPoints.web.address=:80", "--api.insecure=true",
                "--api.basePath=/traefik/");
        assertEquals("PathPrefix(`/traefik/api`)", router(http, "api").get("rule"));
        assertEquals("Path(`/traefik`) || PathPrefix(`/traefik/dashboard`)", router(http, "dashboard").get("rule"));
        assertEquals(Integer.MAX_VALUE - 2, router(http, "dashboard").get("priority"));
    }

    @Test
    void aRedirectionNamesThePortItsTargetListensOnOrTheOneItGives() throws Exception {
        Map<String, Object> http = http(List.of("web"), "--entryPoints.web.address=:80",
                "--entryPoints.web.http.redirections.entryPoint.to=websecure",
                "--entryPoints.websecure.address=:443",
                "--entryPoints.old.address=:81", "--entryPoints.old.http.redirections.entryPoint.to=:8443",
                "--entryPoints.old.http.redirections.entryPoint.permanent=false");
        assertEquals(List.of("redirect-web-to-websecure"), router(http, "web-to-websecure").get("middlewares"));
        assertEquals("noop@internal", router(http, "web-to-websecure").get("service"));
        Map<?, ?> middlewares = (Map<?, ?>) http.get("middlewares");
        assertEquals(Map.of("redirectScheme", Map.of("scheme", "https", "port", "8001", "permanent", true)),
                middlewares.get("redirect-web-to-websecure"));
        assertEquals(Map.of("redirectScheme", Map.of("scheme", "https", "port", "8443", "permanent", false)),
                middlewares.get("redirect-old-to-8443"));
        assertEquals(List.of("web"), router(http, "acme-http").get("entryPoints"));
        assertEquals(Integer.MAX_VALUE, router(http, "acme-http").get("priority"));
    }
}
