package dev.gatehouse.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.core.config.dynamic.HealthCheckConfig;
import dev.gatehouse.core.config.dynamic.LoadBalancerConfig;
import dev.gatehouse.core.config.dynamic.MiddlewareConfig;
import dev.gatehouse.core.config.dynamic.RouterConfig;
import dev.gatehouse.core.config.dynamic.ServerConfig;
import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import dev.gatehouse.core.config.dynamic.ServiceConfig;
import dev.gatehouse.core.config.dynamic.WeightedConfig;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.router.Route;
import dev.gatehouse.core.service.LoadBalancedService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a reload keeps from the runtime before it, and what it builds again. Kept: a load balancer whose definition
 * and transport client are unchanged (with its passive health and round robin), and the route of an unchanged
 * router without middlewares to such a service. Built again: everything else, so that a reload always serves what the
 * configuration says now.
 */
class RuntimeReuseTest {

    private static final String ON_SERVICE = "weighted@file";

    private final Map<String, Defined<RouterConfig>> routers = new HashMap<>();
    private final Map<String, Defined<ServiceConfig>> services = new HashMap<>();
    private final Map<String, Defined<MiddlewareConfig>> middlewares = new HashMap<>();
    private final Map<String, Defined<ServersTransportConfig>> transports = new HashMap<>();
    private final List<GatewayRuntime> built = new ArrayList<>();
    private final RuntimeBuilder builder = new RuntimeBuilder(RuntimeSettings.builder(List.of("web"), registry())
            .defaultEntryPoints(List.of("web")).build());

    private static ExtensionRegistry registry() {
        ExtensionRegistry.Builder extensions = ExtensionRegistry.builder();
        extensions.add(ExtensionKind.MATCHER, TestRuntimes.hostMatchingNothing());
        extensions.add(ExtensionKind.MIDDLEWARE, new Middleware<Map<String, Object>>() {
            @Override
            public String name() {
                return "pass";
            }

            @Override
            @SuppressWarnings("unchecked")
            public Class<Map<String, Object>> configType() {
                return (Class<Map<String, Object>>) (Class<?>) Map.class;
            }

            @Override
            public Handler.Wrapper create(Map<String, Object> config, dev.gatehouse.api.MiddlewareContext context) {
                return new Handler.Wrapper();
            }
        });
        return extensions.build();
    }

    @AfterEach
    void stopRuntimes() {
        built.forEach(GatewayRuntime::stop);
    }

    private GatewayRuntime reload() {
        GatewayRuntime runtime = builder.build(new BoundConfiguration(routers, services, middlewares, transports,
                List.of()));
        built.add(runtime);
        return runtime;
    }

    private void router(String name, String rule, String service, List<String> middlewareNames, String origin) {
        routers.put(name + "@file", new Defined<>(new RouterConfig(rule, List.of(), middlewareNames, service, null, null),
                origin, "file"));
    }

    private void balancer(String name, String url, HealthCheckConfig healthCheck, String transport) {
        services.put(name + "@file", new Defined<>(new ServiceConfig(new LoadBalancerConfig(
                List.of(new ServerConfig(url, null)), null, null, healthCheck, null, null, null, transport), null, null,
                null, null), "dyn.yml", "file"));
    }

    private static Route route(GatewayRuntime runtime, String router) {
        return runtime.table(0).routes().stream().filter(r -> r.name().equals(router)).findFirst().orElseThrow();
    }

    private static Handler service(GatewayRuntime runtime, String name) {
        return runtime.model().service(name).handler();
    }

    /** Another router changes: the unchanged router keeps its route, and its load balancer is the same. */
    @Test
    void anUnchangedRouterToAnUnchangedLoadBalancerIsKept() {
        balancer("s", "http://127.0.0.1:1", null, null);
        router("app", "Host(`a`)", "s", List.of(), "dyn.yml:2");
        router("other", "Host(`b`)", "s", List.of(), "dyn.yml:5");
        GatewayRuntime first = reload();
        router("other", "Host(`c`)", "s", List.of(), "dyn.yml:5");
        // Lines move (a router was added above): what is built does not depend on them.
        router("app", "Host(`a`)", "s", List.of(), "dyn.yml:9");
        GatewayRuntime second = reload();

        assertSame(route(first, "app@file"), route(second, "app@file"));
        assertSame(service(first, "s@file"), service(second, "s@file"));
        assertNotSame(route(first, "other@file"), route(second, "other@file"), "its rule changed");
        assertEquals("Host(`c`)", second.model().router("other@file").config().rule());
        assertEquals("dyn.yml:9", second.model().router("app@file").origin().location(), "the model says where it is now");
        assertTrue(second.model().service("s@file").usedBy().contains("app@file"));
    }

    /** A changed load balancer is built again, and so is every route to it, unchanged routers' included. */
    @Test
    void aChangedLoadBalancerIsBuiltAgainWithTheRoutesToIt() {
        balancer("s", "http://127.0.0.1:1", null, null);
        router("app", "Host(`a`)", "s", List.of(), "dyn.yml");
        GatewayRuntime first = reload();
        balancer("s", "http://127.0.0.1:2", null, null);
        GatewayRuntime second = reload();

        LoadBalancedService now = (LoadBalancedService) service(second, "s@file");
        assertNotSame(service(first, "s@file"), now);
        assertEquals(Map.of("http://127.0.0.1:2", true), second.serverStatus().get("s@file"));
        assertNotSame(route(first, "app@file"), route(second, "app@file"));
        assertSame(now, route(second, "app@file").handler(), "the unchanged router sends to the new service");
    }

    /** A load balancer with an active health check owns a started component: it is built again, with its check. */
    @Test
    void aLoadBalancerWithAHealthCheckIsBuiltAgain() {
        balancer("s", "http://127.0.0.1:1", new HealthCheckConfig("/health", null, null, null, null, null, null, null,
                null, null, null, null), null);
        router("app", "Host(`a`)", "s", List.of(), "dyn.yml");
        GatewayRuntime first = reload();
        GatewayRuntime second = reload();
        assertNotSame(service(first, "s@file"), service(second, "s@file"));
        assertNotSame(route(first, "app@file"), route(second, "app@file"));
    }

    /** A router with middlewares gets new middleware handlers each time: they are started and stopped with a runtime. */
    @Test
    void aRouterWithMiddlewaresIsBuiltAgain() {
        balancer("s", "http://127.0.0.1:1", null, null);
        middlewares.put("m@file", new Defined<>(new MiddlewareConfig("pass", Map.of()), "dyn.yml", "file"));
        router("app", "Host(`a`)", "s", List.of("m"), "dyn.yml");
        GatewayRuntime first = reload();
        GatewayRuntime second = reload();
        assertNotSame(route(first, "app@file"), route(second, "app@file"));
        first.stop();
        assertTrue(route(second, "app@file").handler().isStarted(), "the next runtime's chain is its own");
        assertSame(service(first, "s@file"), service(second, "s@file"));
    }

    /** Services made of other services are built again (they may hold state of their own), over kept children. */
    @Test
    void aServiceOfServicesIsBuiltAgainOverTheKeptLoadBalancer() {
        balancer("s", "http://127.0.0.1:1", null, null);
        services.put(ON_SERVICE, new Defined<>(new ServiceConfig(null, new WeightedConfig(
                List.of(new WeightedConfig.WeightedService("s", 1)), null, null), null, null, null), "dyn.yml", "file"));
        router("app", "Host(`a`)", "weighted", List.of(), "dyn.yml");
        GatewayRuntime first = reload();
        GatewayRuntime second = reload();
        assertNotSame(service(first, ON_SERVICE), service(second, ON_SERVICE));
        assertNotSame(route(first, "app@file"), route(second, "app@file"));
        assertSame(service(first, "s@file"), service(second, "s@file"));
    }

    /**
     * A load balancer whose servers transport changed has a new client: it is built again on it. An unchanged
     * transport keeps its client, and the load balancer on it is kept.
     */
    @Test
    void aLoadBalancerOnAChangedTransportIsBuiltAgain() {
        transports.put("t@file", new Defined<>(new ServersTransportConfig(null, null, null, null, 4, null, null, null,
                null), "dyn.yml", "file"));
        balancer("s", "http://127.0.0.1:1", null, "t");
        router("app", "Host(`a`)", "s", List.of(), "dyn.yml");
        GatewayRuntime first = reload();
        GatewayRuntime same = reload();
        assertSame(service(first, "s@file"), service(same, "s@file"));
        transports.put("t@file", new Defined<>(new ServersTransportConfig(null, null, null, null, 5, null, null, null,
                null), "dyn.yml", "file"));
        GatewayRuntime changed = reload();
        assertNotSame(service(same, "s@file"), service(changed, "s@file"));
        assertNotSame(route(same, "app@file"), route(changed, "app@file"));
    }

    /** A router whose service is removed is disabled, even though it did not change itself. */
    @Test
    void anUnchangedRouterWhoseServiceIsGoneIsDisabled() {
        balancer("s", "http://127.0.0.1:1", null, null);
        router("app", "Host(`a`)", "s", List.of(), "dyn.yml");
        reload();
        services.clear();
        GatewayRuntime second = reload();
        assertEquals(Status.DISABLED, second.model().router("app@file").status());
        assertTrue(second.table(0).routes().isEmpty());
        balancer("s", "http://127.0.0.1:1", null, null);
        GatewayRuntime third = reload();
        assertEquals(Status.ENABLED, third.model().router("app@file").status());
    }

    /**
     * Through the binder, as the gateway reloads: a file read again (new trees, equal where unchanged) with one
     * router's rule changed keeps every other router's route and the load balancer.
     */
    @Test
    void aFileReadAgainWithOneRouterChangedKeepsTheOthers() {
        dev.gatehouse.core.dynamic.DynamicConfigurationBinder binder =
                new dev.gatehouse.core.dynamic.DynamicConfigurationBinder(dev.gatehouse.core.config.ConfigMappers.strictMapper());
        java.util.function.Function<String, GatewayRuntime> read = otherHost -> {
            Map<String, Object> routerTrees = new java.util.LinkedHashMap<>();
            routerTrees.put("app", new java.util.LinkedHashMap<>(Map.of("rule", "Host(`a`)", "service", "s")));
            routerTrees.put("other", new java.util.LinkedHashMap<>(Map.of("rule", "Host(`" + otherHost + "`)",
                    "service", "s")));
            Map<String, Object> http = Map.of("routers", routerTrees, "services", Map.of("s", Map.of("loadBalancer",
                    Map.of("servers", List.of(new java.util.LinkedHashMap<>(Map.of("url", "http://127.0.0.1:1")))))));
            GatewayRuntime runtime = builder.build(binder.bind(Map.of("file", dev.gatehouse.api.ConfigurationSnapshot.of(
                    dev.gatehouse.api.ConfigurationFragment.of("/etc/dyn.yml", Map.of("http", http))))));
            built.add(runtime);
            return runtime;
        };
        GatewayRuntime first = read.apply("b");
        GatewayRuntime second = read.apply("c");
        assertSame(service(first, "s@file"), service(second, "s@file"));
        assertSame(route(first, "app@file"), route(second, "app@file"));
        assertNotSame(route(first, "other@file"), route(second, "other@file"));
    }
}
