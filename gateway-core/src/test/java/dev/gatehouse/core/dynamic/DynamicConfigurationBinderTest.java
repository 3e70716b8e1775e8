package dev.gatehouse.core.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.config.ConfigMappers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DynamicConfigurationBinderTest {

    private final DynamicConfigurationBinder binder = new DynamicConfigurationBinder(ConfigMappers.strictMapper());

    private static Map<String, Object> router(String rule, String service) {
        return Map.of("rule", rule, "service", service);
    }

    private static ConfigurationFragment fragment(String origin, Map<String, Object> http) {
        return ConfigurationFragment.of(origin, Map.of("http", http));
    }

    private BoundConfiguration bind(String provider, ConfigurationFragment... fragments) {
        return binder.bind(Map.of(provider, ConfigurationSnapshot.of(fragments)));
    }

    private static String problems(BoundConfiguration bound) {
        return bound.problems().toString();
    }

    @Test
    void qualifiesNamesWithTheProvider() {
        BoundConfiguration bound = bind("file", fragment("a.yml", Map.of(
                "routers", Map.of("app", router("Host(`a`)", "app")),
                "services", Map.of("app", Map.of("loadBalancer", Map.of("servers", List.of(Map.of("url", "http://x"))))))));
        assertEquals(List.of(), bound.problems());
        assertEquals("Host(`a`)", bound.routers().get("app@file").value().rule());
        assertEquals("a.yml", bound.routers().get("app@file").origin());
        assertEquals("http://x", bound.services().get("app@file").value().loadBalancer().servers().get(0).url());
    }

    @Test
    void keysAreCaseInsensitiveAsInTraefik() {
        BoundConfiguration bound = bind("file", fragment("a.yml", Map.of("routers", Map.of("app",
                Map.of("Rule", "Path(`/`)", "SERVICE", "s", "entrypoints", List.of("web"))))));
        assertEquals(List.of(), bound.problems());
        assertEquals(List.of("web"), bound.routers().get("app@file").value().entryPoints());
    }

    /** As Docker labels give them: lower-case keys, string values ({@code ...observability.accesslogs=false}). */
    @Test
    void routerObservabilityAndRuleSyntaxBindFromLabelShapedKeys() {
        BoundConfiguration bound = bind("docker", fragment("container web", Map.of("routers", Map.of("app",
                Map.of("rule", "Host(`a`, `b`)", "service", "s", "rulesyntax", "v2",
                        "observability", Map.of("accesslogs", "false", "metrics", "true", "tracing", "false"))))));
        assertEquals(List.of(), bound.problems());
        var router = bound.routers().get("app@docker").value();
        assertEquals(false, router.observability().accessLogs());
        assertEquals(true, router.observability().metrics());
        assertEquals("v2", router.ruleSyntax());
    }

    @Test
    void anUnknownKeyDisablesOnlyItsElementAndIsNamedWithItsOrigin() {
        BoundConfiguration bound = bind("file", fragment("/etc/dyn/a.yml", Map.of("routers", Map.of(
                "good", router("Path(`/`)", "s"),
                "bad", Map.of("rule", "Path(`/`)", "servce", "s")))));
        assertTrue(bound.routers().containsKey("good@file"));
        assertEquals(false, bound.routers().containsKey("bad@file"));
        String text = problems(bound);
        assertTrue(text.contains("router bad@file"), text);
        assertTrue(text.contains("/etc/dyn/a.yml"), text);
        assertTrue(text.contains("unknown key 'http.routers.bad.servce'"), text);
    }

    @Test
    void aMisspeltListKeyIsNamedItselfWithASuggestion() {
        Map<String, Object> service = Map.of("loadBalancer",
                Map.of("server", List.of(Map.of("url", "http://127.0.0.1:1"))));
        Map<String, Object> router = Map.of("rule", "Path(`/`)", "service", "app", "entrypoint", List.of("web"));
        BoundConfiguration bound = bind("file", fragment("/etc/dyn/a.yml", Map.of(
                "services", Map.of("app", service), "routers", Map.of("r", router))));
        String text = problems(bound);
        assertTrue(text.contains("unknown key 'http.services.app.loadBalancer.server'"), text);
        assertTrue(text.contains("did you mean 'servers'?"), text);
        assertTrue(text.contains("unknown key 'http.routers.r.entrypoint'"), text);
        assertTrue(text.contains("did you mean 'entryPoints'?"), text);
        assertTrue(!text.contains("[0]") && !text.contains("[1]"), text);
    }

    @Test
    void aWrongTypeNamesTheKey() {
        BoundConfiguration bound = bind("file", fragment("a.yml", Map.of("routers", Map.of(
                "app", Map.of("rule", "Path(`/`)", "service", "s", "priority", "high")))));
        assertTrue(problems(bound).contains("'high' for 'http.routers.app.priority'"), problems(bound));
    }

    @Test
    void theSameElementDefinedDifferentlyInTwoFilesIsLeftOutNamingBoth() {
        BoundConfiguration bound = bind("file",
                fragment("a.yml", Map.of("routers", Map.of("app", router("Path(`/a`)", "s")))),
                fragment("b.yml", Map.of("routers", Map.of("app", router("Path(`/b`)", "s"),
                        "other", router("Path(`/o`)", "s")))));
        assertEquals(false, bound.routers().containsKey("app@file"));
        assertTrue(bound.routers().containsKey("other@file"));
        String text = problems(bound);
        assertTrue(text.contains("a.yml") && text.contains("b.yml") && text.contains("more than once"), text);
    }

    @Test
    void theSameElementDefinedIdenticallyTwiceIsFine() {
        BoundConfiguration bound = bind("file",
                fragment("a.yml", Map.of("routers", Map.of("app", router("Path(`/a`)", "s")))),
                fragment("b.yml", Map.of("routers", Map.of("app", router("Path(`/a`)", "s")))));
        assertEquals(List.of(), bound.problems());
        assertTrue(bound.routers().containsKey("app@file"));
    }

    @Test
    void namesWithAnAtSignAreRefused() {
        BoundConfiguration bound = bind("file", fragment("a.yml", Map.of("routers", Map.of("x@y", router("Path(`/`)", "s")))));
        assertTrue(bound.routers().isEmpty());
        assertTrue(problems(bound).contains("must not be empty or contain '@'"), problems(bound));
    }

    @Test
    void middlewaresDeclareExactlyOneType() {
        BoundConfiguration bound = bind("file", fragment("a.yml", Map.of("middlewares", Map.of(
                "strip", Map.of("stripPrefix", Map.of("prefixes", List.of("/api"))),
                "two", Map.of("stripPrefix", Map.of(), "addPrefix", Map.of())))));
        assertEquals("stripPrefix", bound.middlewares().get("strip@file").value().type());
        assertEquals(Map.of("prefixes", List.of("/api")), bound.middlewares().get("strip@file").value().options());
        assertTrue(problems(bound).contains("middleware two@file"), problems(bound));
    }

    @Test
    void aMiddlewareTypeSetToTrueIsThatTypeWithItsDefaultsAsLabelsWriteIt() {
        BoundConfiguration bound = bind("docker", fragment("c1", Map.of("middlewares", Map.of(
                "gz", Map.of("compress", "true"),
                "off", Map.of("compress", "false")))));
        assertEquals("compress", bound.middlewares().get("gz@docker").value().type());
        assertTrue(bound.middlewares().get("gz@docker").value().options().isEmpty());
        assertTrue(problems(bound).contains("the options of middleware type 'compress' must be a section"), problems(bound));
    }

    @Test
    void aMiddlewareTypeWithAnEmptyValueIsThatTypeWithItsDefaultsAsKeyValueStoresWriteIt() {
        // traefik/http/middlewares/gz/compress = "" (Traefik's own etcd and Redis tests)
        BoundConfiguration bound = bind("etcd", fragment("etcd: traefik/http/middlewares/gz", Map.of("middlewares",
                Map.of("gz", Map.of("compress", "")))));
        assertEquals("compress", bound.middlewares().get("gz@etcd").value().type());
        assertTrue(bound.middlewares().get("gz@etcd").value().options().isEmpty());
        assertEquals(List.of(), bound.problems());
    }

    @Test
    void sourceErrorsAndUnknownSectionsAreReportedNotDropped() {
        ConfigurationFragment broken = ConfigurationFragment.failed("c.yml", "c.yml: YAML error at line 3");
        ConfigurationFragment typo = ConfigurationFragment.of("d.yml", Map.of("udp", Map.of("routers", Map.of()),
                "htp", Map.of(), "tcp", Map.of("router", Map.of())));
        BoundConfiguration bound = bind("file", broken, typo);
        String text = problems(bound);
        assertTrue(text.contains("YAML error at line 3"), text);
        assertTrue(text.contains("unknown top-level key 'htp' (known: http, tls, tcp, udp)"), text);
        assertTrue(text.contains("unknown key 'tcp.router' (known: routers, services, middlewares, serversTransports)"), text);
        assertFalse(text.contains("not supported"), "tcp and udp are read now: " + text);
    }

    @Test
    void theTcpSectionBindsEachElementOnItsOwn() {
        ConfigurationFragment tcp = ConfigurationFragment.of("t.yml", Map.of("tcp", Map.of(
                "routers", Map.of(
                        "db", Map.of("rule", "HostSNI(`db.test`)", "service", "db", "tls", Map.of("passthrough", true)),
                        "typo", Map.of("rule", "HostSNI(`*`)", "servce", "db")),
                "services", Map.of("db", Map.of("loadBalancer", Map.of("servers", List.of(Map.of("address", "10.0.0.5:5432"))))),
                "serversTransports", Map.of("slow", Map.of("dialTimeout", "5s")),
                "middlewares", Map.of("lan", Map.of("ipAllowList", Map.of("sourceRange", List.of("10.0.0.0/8")))),
                "routes", Map.of())));
        BoundConfiguration bound = bind("file", tcp);
        assertTrue(bound.tcp().routers().get("db@file").value().tls().isPassthrough());
        assertEquals("10.0.0.5:5432", bound.tcp().services().get("db@file").value().loadBalancer().servers().get(0).address());
        assertEquals(java.time.Duration.ofSeconds(5), bound.tcp().serversTransports().get("slow@file").value().dialTimeout());
        assertEquals(List.of("10.0.0.0/8"),
                bound.tcp().middlewares().get("lan@file").value().ipAllowList().sourceRange());
        assertNull(bound.tcp().routers().get("typo@file"), "a mistyped key disables its router only");
        String text = problems(bound);
        assertTrue(text.contains("TCP router typo@file") && text.contains("servce"), text);
        assertTrue(text.contains("unknown key 'tcp.routes'"), text);
        assertTrue(bound.routers().isEmpty(), "TCP routers are not HTTP routers");
    }

    @Test
    void providersAreKeptApart() {
        BoundConfiguration bound = binder.bind(Map.of(
                "file", ConfigurationSnapshot.of(fragment("a.yml", Map.of("routers", Map.of("app", router("Path(`/`)", "s"))))),
                "docker", ConfigurationSnapshot.of(fragment("c1", Map.of("routers", Map.of("app", router("Path(`/d`)", "s")))))));
        assertEquals(List.of(), bound.problems());
        assertEquals("Path(`/`)", bound.routers().get("app@file").value().rule());
        assertEquals("Path(`/d`)", bound.routers().get("app@docker").value().rule());
    }

    @Test
    void tlsOptionsAreQualifiedExceptDefaultAndTheDefaultStoreGivesTheDefaultCertificate() {
        BoundConfiguration bound = binder.bind(Map.of("file", ConfigurationSnapshot.of(ConfigurationFragment.of("t.yml",
                Map.of("tls", Map.of(
                        "options", Map.of("default", Map.of("minVersion", "VersionTLS13"),
                                "modern", Map.of("sniStrict", true)),
                        "certificates", List.of(Map.of("certFile", "a.pem", "keyFile", "a.key")),
                        "stores", Map.of("default", Map.of("defaultCertificate",
                                Map.of("certFile", "d.pem", "keyFile", "d.key")), "other", Map.of())))))));
        assertEquals(java.util.Set.of("default", "modern@file"), bound.tls().options().keySet());
        assertEquals("a.pem", bound.tls().certificates().get(0).value().certFile());
        assertEquals("d.pem", bound.tls().defaultCertificate().value().certFile());
        assertTrue(problems(bound).contains("tls.stores.other"), problems(bound));
    }

    @Test
    void preferServerCipherSuitesIsAcceptedAsTraefikDoesWithNoEffect() {
        // Traefik documents the option as deprecated and ignored: a file that sets it must still load.
        BoundConfiguration bound = binder.bind(Map.of("file", ConfigurationSnapshot.of(ConfigurationFragment.of("t.yml",
                Map.of("tls", Map.of("options", Map.of("legacy", Map.of("minVersion", "VersionTLS12",
                        "preferServerCipherSuites", true))))))));
        assertEquals(List.of(), bound.problems());
        assertEquals("VersionTLS12", bound.tls().options().get("legacy@file").value().minVersion());
    }

    /**
     * A binder keeps what it bound last, so that a reload binds only the elements that changed; what a reload gives
     * is exactly what a binder that never saw the earlier configurations gives: changed, removed, added, broken and
     * repaired elements alike.
     */
    @Test
    void aReloadBindsExactlyAsAFreshBinder() {
        Map<String, Object> service = Map.of("loadBalancer", Map.of("servers", List.of(Map.of("url", "http://x"))));
        List<Map<String, Object>> versions = List.of(
                Map.of("routers", Map.of("a", router("Host(`a`)", "s"), "b", router("Host(`b`)", "s"),
                        "c", router("Host(`c`)", "s")), "services", Map.of("s", service)),
                // b changed, c removed, d added, e broken
                Map.of("routers", Map.of("a", router("Host(`a`)", "s"), "b", router("Host(`b2`)", "s"),
                        "d", router("Host(`d`)", "s"), "e", Map.of("rule", "Host(`e`)", "servce", "s")),
                        "services", Map.of("s", service)),
                // e repaired, the service changed
                Map.of("routers", Map.of("a", router("Host(`a`)", "s"), "b", router("Host(`b2`)", "s"),
                        "e", router("Host(`e`)", "s")),
                        "services", Map.of("s", Map.of("loadBalancer", Map.of("servers",
                                List.of(Map.of("url", "http://y")))))),
                // the first one again
                Map.of("routers", Map.of("a", router("Host(`a`)", "s"), "b", router("Host(`b`)", "s"),
                        "c", router("Host(`c`)", "s")), "services", Map.of("s", service)));
        for (int i = 0; i < versions.size(); i++) {
            BoundConfiguration reloaded = bind("file", fragment("a.yml", versions.get(i)));
            BoundConfiguration fresh = new DynamicConfigurationBinder(ConfigMappers.strictMapper())
                    .bind(Map.of("file", ConfigurationSnapshot.of(fragment("a.yml", versions.get(i)))));
            assertEquals(fresh, reloaded, "version " + i);
        }
        BoundConfiguration last = bind("file", fragment("a.yml", versions.get(1)));
        assertEquals("Host(`b2`)", last.routers().get("b@file").value().rule());
        assertTrue(problems(last).contains("unknown key 'http.routers.e.servce'"), problems(last));
    }

    /** An element with a problem is bound again on each reload: its problem is reported every time. */
    @Test
    void aBrokenElementIsReportedOnEveryReload() {
        ConfigurationFragment broken = fragment("a.yml", Map.of("routers", Map.of(
                "bad", Map.of("rule", "Path(`/`)", "servce", "s"), "good", router("Path(`/`)", "s"))));
        for (int reload = 0; reload < 3; reload++) {
            BoundConfiguration bound = bind("file", broken);
            assertTrue(problems(bound).contains("unknown key 'http.routers.bad.servce'"), problems(bound));
            assertTrue(bound.routers().containsKey("good@file"));
        }
    }
}
