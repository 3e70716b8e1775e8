package dev.gatehouse.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.config.dynamic.LoadBalancerConfig;
import dev.gatehouse.core.config.dynamic.MiddlewareConfig;
import dev.gatehouse.core.config.dynamic.RouterConfig;
import dev.gatehouse.core.config.dynamic.ServerConfig;
import dev.gatehouse.core.config.dynamic.ServiceConfig;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import dev.gatehouse.core.router.Route;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Test;

/** How one configuration becomes routing tables: what is enabled, in which order, on which entry point. */
class RuntimeBuilderTest {

    /** A matcher that accepts one argument and matches nothing: these tests look at tables, not requests. */
    private static Matcher matcher(String name) {
        return new Matcher() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RequestPredicate compile(List<String> arguments) {
                Matcher.requireArguments(this, arguments, 1);
                return request -> false;
            }
        };
    }

    /** A matcher whose compile fails with {@code failure}, as a plugin's bug or hostile input can make it fail. */
    private static Matcher failing(String name, Error failure) {
        return new Matcher() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RequestPredicate compile(List<String> arguments) {
                throw failure;
            }
        };
    }

    record TagConfig(String tag) {
    }

    private static final class TagMiddleware implements Middleware<TagConfig> {
        @Override
        public String name() {
            return "tag";
        }

        @Override
        public Class<TagConfig> configType() {
            return TagConfig.class;
        }

        @Override
        public Handler.Wrapper create(TagConfig config, dev.gatehouse.api.MiddlewareContext context) {
            if ("explode".equals(config.tag())) {
                throw new IllegalArgumentException("tag must not be explode");
            }
            return new TagWrapper(config.tag());
        }
    }

    private static final class TagWrapper extends Handler.Wrapper {
        final String tag;

        TagWrapper(String tag) {
            this.tag = tag;
        }
    }

    /** Asks its context for the service named by its tag. */
    private static final class NeedsService implements Middleware<TagConfig> {
        @Override
        public String name() {
            return "needsService";
        }

        @Override
        public Class<TagConfig> configType() {
            return TagConfig.class;
        }

        @Override
        public Handler.Wrapper create(TagConfig config, dev.gatehouse.api.MiddlewareContext context) {
            context.service(config.tag());
            return new Handler.Wrapper();
        }
    }

    private final ExtensionRegistry registry = registry();

    private static ExtensionRegistry registry() {
        ExtensionRegistry.Builder builder = ExtensionRegistry.builder();
        builder.add(ExtensionKind.MATCHER, matcher("Host"));
        builder.add(ExtensionKind.MATCHER, matcher("Path"));
        builder.add(ExtensionKind.MIDDLEWARE, new TagMiddleware());
        builder.add(ExtensionKind.MIDDLEWARE, new NeedsService());
        builder.add(ExtensionKind.MATCHER, failing("Overflow", new StackOverflowError()));
        builder.add(ExtensionKind.MATCHER, failing("Buggy", new AssertionError("plugin invariant broken")));
        builder.add(ExtensionKind.MATCHER, failing("Exhausting", new OutOfMemoryError("Java heap space")));
        return builder.build();
    }

    private final Map<String, Defined<RouterConfig>> routers = new HashMap<>();
    private final Map<String, Defined<ServiceConfig>> services = new HashMap<>();
    private final Map<String, Defined<MiddlewareConfig>> middlewares = new HashMap<>();

    private void router(String name, String rule, String service, Integer priority, List<String> entryPoints,
            List<String> middlewareNames) {
        routers.put(name + "@file", new Defined<>(new RouterConfig(rule, entryPoints, middlewareNames, service, priority, null),
                "dyn.yml", "file"));
    }

    private void service(String name, String url) {
        services.put(name + "@file", new Defined<>(new ServiceConfig(new LoadBalancerConfig(
                List.of(new ServerConfig(url, null)), null)), "dyn.yml", "file"));
    }

    private GatewayRuntime build(List<String> entryPoints, List<String> defaults) {
        RuntimeBuilder builder = new RuntimeBuilder(RuntimeSettings.builder(entryPoints, registry)
                .defaultEntryPoints(defaults).build());
        return builder.build(new BoundConfiguration(routers, services, middlewares, List.of()));
    }

    /** The router is disabled, and one of its errors is of that kind and says that. */
    private static void assertRouterError(GatewayRuntime runtime, String router, ProblemKind kind, String saying) {
        RouterInfo info = runtime.model().router(router);
        assertEquals(Status.DISABLED, info.status(), router + ": " + info.errors());
        assertError(info.errors(), kind, saying);
    }

    /** The middleware is disabled, and one of its errors is of that kind and says that. */
    private static void assertMiddlewareError(GatewayRuntime runtime, String middleware, ProblemKind kind, String saying) {
        MiddlewareInfo info = runtime.model().middleware(middleware);
        assertEquals(Status.DISABLED, info.status(), middleware + ": " + info.errors());
        assertError(info.errors(), kind, saying);
    }

    /** The service is disabled because its own settings are wrong, as its error says. */
    private static void assertServiceError(GatewayRuntime runtime, String service, String saying) {
        ServiceInfo info = runtime.model().service(service);
        assertEquals(Status.DISABLED, info.status(), service + ": " + info.errors());
        assertError(info.errors(), ProblemKind.INVALID, saying);
    }

    private static void assertError(List<ConfigProblem> errors, ProblemKind kind, String saying) {
        assertTrue(errors.stream().anyMatch(e -> e.kind() == kind && e.message().contains(saying)),
                "expected a " + kind + " error saying " + saying + ", got " + errors);
    }

    private static List<String> names(List<Route> routes) {
        return routes.stream().map(Route::name).toList();
    }

    @Test
    void ordersByPriorityThenRuleLengthThenName() {
        service("s", "http://127.0.0.1:1");
        router("short", "Host(`a`)", "s", null, List.of(), List.of());
        router("longer", "Host(`abcdef`)", "s", null, List.of(), List.of());
        router("explicit", "Host(`b`)", "s", 100, List.of(), List.of());
        router("negative", "Host(`zzzzzzzzzzzzzz`)", "s", -5, List.of(), List.of());
        router("b-tie", "Host(`c`)", "s", null, List.of(), List.of());
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertEquals(List.of("explicit@file", "longer@file", "b-tie@file", "short@file", "negative@file"),
                names(runtime.table(0).routes()));
    }

    @Test
    void theDefaultPriorityIsTheRulesLengthInUtf8BytesAsInTraefik() {
        service("s", "http://127.0.0.1:1");
        router("accented", "Path(`/caf\u00e9`)", "s", null, List.of(), List.of()); // 12 characters, 13 bytes
        router("ascii", "Path(`/cafes`)", "s", null, List.of(), List.of()); // 13 characters and bytes
        router("wide", "Path(`/\u00e9\u00e9\u00e9`)", "s", null, List.of(), List.of()); // 11 characters, 14 bytes
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertEquals(List.of("wide@file", "accented@file", "ascii@file"), names(runtime.table(0).routes()));
    }

    @Test
    void aBrokenRouterIsDisabledAloneWithItsReason() {
        service("s", "http://127.0.0.1:1");
        router("good", "Host(`a`)", "s", null, List.of(), List.of());
        router("syntax", "Host(`a`) &&", "s", null, List.of(), List.of());
        router("unknownMatcher", "Hots(`a`)", "s", null, List.of(), List.of());
        router("arity", "Host(`a`, `b`)", "s", null, List.of(), List.of());
        router("noService", "Host(`a`)", "missing", null, List.of(), List.of());
        router("badEntryPoint", "Host(`a`)", "s", null, List.of("webz"), List.of());
        router("noRule", null, "s", null, List.of(), List.of());
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));

        assertEquals(List.of("good@file"), names(runtime.table(0).routes()));
        assertEquals(Status.ENABLED, runtime.model().router("good@file").status());
        assertRouterError(runtime, "syntax@file", ProblemKind.INVALID, "rule Host(`a`) && is invalid at position 13");
        assertRouterError(runtime, "unknownMatcher@file", ProblemKind.INVALID, "unknown matcher 'Hots'");
        assertRouterError(runtime, "arity@file", ProblemKind.INVALID, "Host expects 1 argument, got 2");
        assertRouterError(runtime, "noService@file", ProblemKind.MISSING_SERVICE, "service 'missing@file' does not exist");
        assertRouterError(runtime, "badEntryPoint@file", ProblemKind.ENTRY_POINT,
                "entry point 'webz' does not exist (known: web)");
        assertRouterError(runtime, "noRule@file", ProblemKind.INVALID, "has no rule");
        assertEquals("dyn.yml", runtime.model().router("noRule@file").origin().location());
    }

    /** Issue 13 item 4: a rule of 10,000 terms threw StackOverflowError and blocked the whole configuration. */
    @Test
    void aRuleOfTenThousandTermsBuildsAndKeepsItsPriorityByLength() {
        service("s", "http://127.0.0.1:1");
        String huge = String.join(" && ", java.util.Collections.nCopies(10_000, "Host(`a`)"));
        String either = String.join(" || ", java.util.Collections.nCopies(10_000, "Path(`/x`)"));
        router("huge", huge, "s", null, List.of(), List.of());
        router("either", either, "s", null, List.of(), List.of());
        router("good", "Host(`b`)", "s", null, List.of(), List.of());
        GatewayRuntime runtime = onProductStack(() -> build(List.of("web"), List.of("web")));

        assertEquals(List.of(), runtime.problems());
        assertEquals(List.of("either@file", "huge@file", "good@file"), names(runtime.table(0).routes()));
        assertEquals(huge.length(), runtime.table(0).routes().get(1).priority());
    }

    /** Runs {@code task} on a thread with the stack bin/gatehouse gives every thread (-Xss512k). */
    private static <T> T onProductStack(java.util.function.Supplier<T> task) {
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                outcome.set(task.get());
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "product-stack", 512 * 1024);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (outcome.get() instanceof Throwable t) {
            throw new AssertionError("failed on a 512 KiB stack: " + t, t);
        }
        @SuppressWarnings("unchecked")
        T result = (T) outcome.get();
        return result;
    }

    /**
     * Any failure while building one element, Errors included, disables that element alone with a one-line
     * problem; only OutOfMemoryError is left to end the process (the launcher exits on it).
     */
    @Test
    void anErrorWhileBuildingOneRouterDisablesThatRouterAlone() {
        service("s", "http://127.0.0.1:1");
        router("good", "Host(`a`)", "s", null, List.of(), List.of());
        router("overflow", "Overflow(`x`)", "s", null, List.of(), List.of());
        router("buggy", "Host(`a`) && Buggy(`x`)", "s", null, List.of(), List.of());
        String longRule = "Host(`" + "a".repeat(50_000) + "`) && Buggy(`x`)";
        router("long", longRule, "s", null, List.of(), List.of());
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));

        assertEquals(List.of("good@file"), names(runtime.table(0).routes()));
        assertRouterError(runtime, "overflow@file", ProblemKind.UNEXPECTED, "could not be built: it nests too deeply");
        assertRouterError(runtime, "buggy@file", ProblemKind.UNEXPECTED, "could not be built: plugin invariant broken");
        String problems = runtime.problems().toString();
        assertTrue(problems.length() < 2_000, "one short line per problem, whatever the rule's length: " + problems.length());
        assertTrue(problems.lines().count() == 1 && !problems.contains("Error"), problems);

        router("exhausting", "Exhausting(`x`)", "s", null, List.of(), List.of());
        org.junit.jupiter.api.Assertions.assertThrows(OutOfMemoryError.class, () -> build(List.of("web"), List.of("web")));
    }

    @Test
    void aServiceWithABadUrlDisablesItselfAndItsRouters() {
        service("bad", "ftp://x");
        service("good", "http://127.0.0.1:1");
        router("a", "Host(`a`)", "bad", null, List.of(), List.of());
        router("b", "Host(`b`)", "good", null, List.of(), List.of());
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertEquals(List.of("b@file"), names(runtime.table(0).routes()));
        ServiceInfo bad = runtime.model().service("bad@file");
        assertEquals(Status.DISABLED, bad.status());
        assertEquals(List.of(ProblemKind.INVALID), bad.errors().stream().map(ConfigProblem::kind).toList());
        assertTrue(bad.errors().get(0).message().startsWith("loadBalancer.servers[0]: server url 'ftp://x' must start with http"),
                bad.errors().toString());
        assertEquals(List.of("a@file"), bad.usedBy());
        assertRouterError(runtime, "a@file", ProblemKind.MISSING_SERVICE, "service 'bad@file' is disabled (see its own error)");
        assertEquals(Status.ENABLED, runtime.model().service("good@file").status());
    }

    @Test
    void anUnknownStrategyOrABadFailoverStatusDisablesTheServiceNamingTheKey() {
        services.put("roundRobin@file", new Defined<>(new ServiceConfig(new LoadBalancerConfig(
                List.of(new ServerConfig("http://127.0.0.1:1", null)), null, "RoundRobin", null, null, null, null, null)),
                "dyn.yml", "file"));
        service("main", "http://127.0.0.1:1");
        service("spare", "http://127.0.0.1:2");
        services.put("fails@file", new Defined<>(new ServiceConfig(null, null, null, new dev.gatehouse.core.config.dynamic.FailoverConfig(
                "main", "spare", null, new dev.gatehouse.core.config.dynamic.FailoverConfig.Errors(List.of("500-599", "5xx"), null))),
                "dyn.yml", "file"));
        services.put("backwards@file", new Defined<>(new ServiceConfig(null, null, null, new dev.gatehouse.core.config.dynamic.FailoverConfig(
                "main", "spare", null, new dev.gatehouse.core.config.dynamic.FailoverConfig.Errors(List.of("599-500"), null))),
                "dyn.yml", "file"));
        router("a", "Host(`a`)", "roundRobin", null, List.of(), List.of());
        router("b", "Host(`b`)", "fails", null, List.of(), List.of());
        router("c", "Host(`c`)", "backwards", null, List.of(), List.of());
        router("d", "Host(`d`)", "main", null, List.of(), List.of());
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertEquals(List.of("d@file"), names(runtime.table(0).routes()));
        assertServiceError(runtime, "roundRobin@file",
                "loadBalancer.strategy must be wrr, p2c, hrw or leasttime, not 'roundrobin'");
        assertServiceError(runtime, "fails@file", "'failover.errors.status': '5xx' is not a status code");
        assertServiceError(runtime, "backwards@file", "'failover.errors.status': '599-500' ends before it starts");
    }

    @Test
    void anUnknownHealthCheckModeOrGrpcOverHttpsDisablesTheService() {
        services.put("tcpCheck@file", new Defined<>(new ServiceConfig(new LoadBalancerConfig(
                List.of(new ServerConfig("http://127.0.0.1:1", null)), null, null, new dev.gatehouse.core.config.dynamic.HealthCheckConfig(
                        "/health", null, "tcp", null, null, null, null, null, null, null, null, null), null, null, null, null)),
                "dyn.yml", "file"));
        services.put("grpcTls@file", new Defined<>(new ServiceConfig(new LoadBalancerConfig(
                List.of(new ServerConfig("http://127.0.0.1:1", null)), null, null, new dev.gatehouse.core.config.dynamic.HealthCheckConfig(
                        null, "https", "grpc", null, null, null, null, null, null, null, null, null), null, null, null, null)),
                "dyn.yml", "file"));
        router("a", "Host(`a`)", "tcpCheck", null, List.of(), List.of());
        router("b", "Host(`b`)", "grpcTls", null, List.of(), List.of());
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertEquals(List.of(), names(runtime.table(0).routes()));
        assertServiceError(runtime, "tcpCheck@file", "loadBalancer.healthCheck.mode must be http or grpc, not 'tcp'");
        assertServiceError(runtime, "grpcTls@file",
                "loadBalancer.healthCheck.mode grpc speaks HTTP/2 without TLS (h2c): remove scheme https");
    }

    @Test
    void routersWithoutEntryPointsJoinTheDefaultOnes() {
        service("s", "http://127.0.0.1:1");
        router("everywhere", "Host(`a`)", "s", null, List.of(), List.of());
        router("internalOnly", "Host(`b`)", "s", null, List.of("admin"), List.of());
        GatewayRuntime runtime = build(List.of("web", "websecure", "admin"), List.of("web", "websecure"));
        assertEquals(List.of("everywhere@file"), names(runtime.table(0).routes()));
        assertEquals(List.of("everywhere@file"), names(runtime.table(1).routes()));
        assertEquals(List.of("internalOnly@file"), names(runtime.table(2).routes()));
    }

    @Test
    void middlewaresAreBoundToTheirTypeAndProblemsNameThem() {
        service("s", "http://127.0.0.1:1");
        middlewares.put("ok@file", new Defined<>(new MiddlewareConfig("tag", Map.of("tag", "x")), "dyn.yml", "file"));
        middlewares.put("typo@file", new Defined<>(new MiddlewareConfig("tag", Map.of("tga", "x")), "dyn.yml", "file"));
        middlewares.put("unknown@file", new Defined<>(new MiddlewareConfig("stripPrefix", Map.of()), "dyn.yml", "file"));
        middlewares.put("explodes@file", new Defined<>(new MiddlewareConfig("tag", Map.of("tag", "explode")), "dyn.yml", "file"));
        router("withOk", "Host(`a`)", "s", null, List.of(), List.of("ok"));
        router("withTypo", "Host(`b`)", "s", null, List.of(), List.of("typo"));
        router("withUnknown", "Host(`c`)", "s", null, List.of(), List.of("unknown@file"));
        router("withExplodes", "Host(`d`)", "s", null, List.of(), List.of("explodes"));
        router("withMisspelt", "Host(`e`)", "s", null, List.of(), List.of("okk"));
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));

        assertEquals(List.of("withOk@file"), names(runtime.table(0).routes()));
        assertTrue(runtime.table(0).routes().get(0).handler() instanceof Handler.Wrapper, "the chain starts with the middleware");
        assertMiddlewareError(runtime, "typo@file", ProblemKind.INVALID, "unknown key 'tag.tga'");
        assertMiddlewareError(runtime, "unknown@file", ProblemKind.INVALID,
                "unknown middleware type 'stripPrefix' (known: tag, needsService;");
        assertEquals(Status.ENABLED, runtime.model().middleware("explodes@file").status(), "it is bound; creating it fails");
        assertRouterError(runtime, "withExplodes@file", ProblemKind.MIDDLEWARE,
                "middleware 'explodes@file' cannot be created: tag must not be explode");
        // A defined middleware that is broken points at its own error; a name that is not defined gets a suggestion.
        assertRouterError(runtime, "withTypo@file", ProblemKind.MIDDLEWARE, "middleware 'typo@file' is disabled (see its own error)");
        assertRouterError(runtime, "withMisspelt@file", ProblemKind.MIDDLEWARE,
                "middleware 'okk@file' does not exist; did you mean 'ok@file'?");
    }

    @Test
    void traefikPluginMiddlewareIsRefusedPointingToGatehousePlugins() {
        service("s", "http://127.0.0.1:1");
        middlewares.put("demo@file", new Defined<>(new MiddlewareConfig("plugin",
                Map.of("demo", Map.of("headers", Map.of("Foo", "Bar")))), "dyn.yml", "file"));
        router("withPlugin", "Host(`a`)", "s", null, List.of(), List.of("demo"));
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));

        assertEquals(List.of(), names(runtime.table(0).routes()), "the router that uses it is not served");
        assertMiddlewareError(runtime, "demo@file", ProblemKind.UNSUPPORTED, "middleware type 'plugin' runs a Traefik "
                + "plugin (Yaegi Go source or WASM), which Gatehouse cannot run");
        String problems = runtime.problems().toString();
        assertTrue(problems.contains("docs/plugins.md"), problems);
        assertFalse(problems.contains("unknown middleware type"), problems);
    }

    /** The tags of the middlewares in a route's chain, outermost first (TagWrapper records its tag). */
    private static List<String> tags(Route route) {
        List<String> tags = new java.util.ArrayList<>();
        Handler handler = route.handler();
        while (handler instanceof TagWrapper wrapper) {
            tags.add(wrapper.tag);
            handler = wrapper.getHandler();
        }
        return tags;
    }

    private void tag(String name, String tag) {
        middlewares.put(name, new Defined<>(new MiddlewareConfig("tag", Map.of("tag", tag)), "dyn.yml",
                name.substring(name.indexOf('@') + 1)));
    }

    private void chain(String name, List<String> references) {
        middlewares.put(name, new Defined<>(new MiddlewareConfig("chain", Map.of("middlewares", references)), "dyn.yml",
                name.substring(name.indexOf('@') + 1)));
    }

    @Test
    void chainsAreExpandedInPlaceAndNamesResolveAgainstTheChainsProvider() {
        record Case(String name, List<String> routerMiddlewares, List<String> expected) {
        }
        service("s", "http://127.0.0.1:1");
        tag("a@file", "a");
        tag("b@file", "b");
        tag("c@docker", "c");
        tag("d@docker", "d");
        chain("ab@file", List.of("a", "b"));
        chain("cd@docker", List.of("c", "d"));
        chain("nested@file", List.of("ab", "cd@docker", "a"));
        List<Case> cases = List.of(
                new Case("plain", List.of("a", "b"), List.of("a", "b")),
                new Case("chain", List.of("ab"), List.of("a", "b")),
                new Case("around", List.of("b", "ab", "a"), List.of("b", "a", "b", "a")),
                new Case("otherProvider", List.of("cd@docker"), List.of("c", "d")),
                new Case("nested", List.of("nested"), List.of("a", "b", "c", "d", "a")));
        cases.forEach(c -> router(c.name(), "Host(`" + c.name() + "`)", "s", null, List.of(), c.routerMiddlewares()));
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertEquals(List.of(), runtime.problems());
        for (Case c : cases) {
            Route route = runtime.table(0).routes().stream().filter(r -> r.name().equals(c.name() + "@file")).findFirst()
                    .orElseThrow();
            assertEquals(c.expected(), tags(route), c.name());
        }
    }

    @Test
    void aChainLoopIsAnErrorOfTheChainNamingTheLoopAndDisablesItsRouters() {
        service("s", "http://127.0.0.1:1");
        tag("a@file", "a");
        chain("x@file", List.of("a", "y"));
        chain("y@file", List.of("x"));
        chain("self@file", List.of("self"));
        chain("missing@file", List.of("a", "nope"));
        chain("empty@file", List.of());
        router("usesX", "Host(`x`)", "s", null, List.of(), List.of("x"));
        router("usesSelf", "Host(`s`)", "s", null, List.of(), List.of("self"));
        router("usesMissing", "Host(`m`)", "s", null, List.of(), List.of("missing"));
        router("fine", "Host(`f`)", "s", null, List.of(), List.of("a"));
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertEquals(List.of("fine@file"), names(runtime.table(0).routes()));
        assertMiddlewareError(runtime, "x@file", ProblemKind.MIDDLEWARE,
                "chain.middlewares: recursion detected: x@file -> y@file -> x@file");
        assertMiddlewareError(runtime, "self@file", ProblemKind.MIDDLEWARE,
                "chain.middlewares: recursion detected: self@file -> self@file");
        assertMiddlewareError(runtime, "missing@file", ProblemKind.MIDDLEWARE,
                "chain.middlewares: middleware 'nope@file' does not exist");
        assertMiddlewareError(runtime, "empty@file", ProblemKind.INVALID, "chain.middlewares is required and cannot be empty");
        assertRouterError(runtime, "usesX@file", ProblemKind.MIDDLEWARE, "middleware 'x@file' is disabled (see its own error)");
    }

    @Test
    void entryPointMiddlewaresComeFirstAndResolveAgainstEachRoutersProvider() {
        service("s", "http://127.0.0.1:1");
        services.put("s@docker", services.get("s@file"));
        tag("a@file", "a");
        tag("auth@file", "file-auth");
        tag("auth@docker", "docker-auth");
        tag("log@file", "log");
        router("fromFile", "Host(`f`)", "s", null, List.of("web", "admin"), List.of("a"));
        routers.put("fromDocker@docker", new Defined<>(new RouterConfig("Host(`d`)", List.of("web"), List.of(), "s", null, null),
                "labels", "docker"));
        RuntimeBuilder builder = new RuntimeBuilder(RuntimeSettings.builder(List.of("web", "admin"), registry)
                .defaultEntryPoints(List.of("web"))
                .entryPointMiddlewares(Map.of("web", List.of("auth", "log@file"))).build());
        GatewayRuntime runtime = builder.build(new BoundConfiguration(routers, services, middlewares, List.of()));
        assertEquals(List.of(), runtime.problems());
        Map<String, List<String>> web = new HashMap<>();
        runtime.table(0).routes().forEach(r -> web.put(r.name(), tags(r)));
        assertEquals(Map.of("fromFile@file", List.of("file-auth", "log", "a"),
                "fromDocker@docker", List.of("docker-auth", "log")), web);
        assertEquals(List.of("a"), tags(runtime.table(1).routes().get(0)), "admin has no entry point middlewares");
    }

    @Test
    void middlewareUsersCountRoutersThroughChainsAndEntryPoints() {
        service("s", "http://127.0.0.1:1");
        tag("a@file", "a");
        tag("b@file", "b");
        tag("auth@file", "auth");
        tag("idle@file", "idle");
        chain("ab@file", List.of("a", "b"));
        chain("outer@file", List.of("ab"));
        router("direct", "Host(`d`)", "s", null, List.of("web"), List.of("a"));
        router("nested", "Host(`n`)", "s", null, List.of("admin"), List.of("outer"));
        router("plain", "Host(`p`)", "s", null, List.of("admin"), List.of());
        GatewayRuntime runtime = new RuntimeBuilder(RuntimeSettings.builder(List.of("web", "admin"), registry)
                .defaultEntryPoints(List.of("web"))
                .entryPointMiddlewares(Map.of("web", List.of("auth"))).build())
                .build(new BoundConfiguration(routers, services, middlewares, List.of()));
        assertEquals(List.of(), runtime.problems());
        Map<String, List<String>> usedBy = new HashMap<>();
        runtime.model().middlewares().forEach((name, middleware) -> usedBy.put(name, middleware.usedBy()));
        assertEquals(Map.of(
                "a@file", List.of("direct@file", "nested@file"),
                "b@file", List.of("nested@file"),
                "ab@file", List.of("nested@file"),
                "outer@file", List.of("nested@file"),
                "auth@file", List.of("direct@file"),
                "idle@file", List.of()), usedBy);
    }

    @Test
    void aRouterWithAnUnknownEntryPointAmongKnownOnesServesWithAWarning() {
        service("s", "http://127.0.0.1:1");
        router("partly", "Host(`p`)", "s", null, List.of("web", "nowhere"), List.of());
        router("nowhere", "Host(`n`)", "s", null, List.of("nowhere"), List.of());
        router("fine", "Host(`f`)", "s", null, List.of("web"), List.of());
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertEquals(Map.of("partly@file", "warning", "nowhere@file", "disabled", "fine@file", "enabled"),
                runtime.routerStatus());
        RouterInfo partly = runtime.model().router("partly@file");
        assertEquals(Status.WARNING, partly.status());
        assertEquals(List.of(ProblemKind.ENTRY_POINT), partly.errors().stream().map(ConfigProblem::kind).toList());
        assertEquals(List.of("fine@file", "partly@file"), names(runtime.table(0).routes()), "a router in warning serves");
        assertEquals(List.of("router partly@file (from dyn.yml): entry point 'nowhere' does not exist (known: web)",
                        "router nowhere@file (from dyn.yml): entry point 'nowhere' does not exist (known: web)"),
                runtime.problems().stream().map(ConfigProblem::toString).sorted(java.util.Comparator.reverseOrder()).toList());
    }

    @Test
    void aMissingEntryPointMiddlewareDisablesTheRoutersOnThatEntryPoint() {
        service("s", "http://127.0.0.1:1");
        router("r", "Host(`r`)", "s", null, List.of("web"), List.of());
        RuntimeBuilder builder = new RuntimeBuilder(RuntimeSettings.builder(List.of("web"), registry)
                .entryPointMiddlewares(Map.of("web", List.of("nope"))).build());
        GatewayRuntime runtime = builder.build(new BoundConfiguration(routers, services, middlewares, List.of()));
        assertEquals(List.of(), runtime.table(0).routes());
        assertRouterError(runtime, "r@file", ProblemKind.MIDDLEWARE, "middleware 'nope@file' does not exist");
    }

    @Test
    void aMiddlewareGetsServicesOfItsOwnProviderFromItsContext() {
        service("pages", "http://127.0.0.1:1");
        service("s", "http://127.0.0.1:1");
        middlewares.put("p@file", new Defined<>(new MiddlewareConfig("needsService", Map.of("tag", "pages")), "dyn.yml", "file"));
        middlewares.put("q@file", new Defined<>(new MiddlewareConfig("needsService", Map.of("tag", "nope")), "dyn.yml", "file"));
        middlewares.put("r@file", new Defined<>(new MiddlewareConfig("needsService", Map.of("tag", "pagez")), "dyn.yml", "file"));
        router("ok", "Host(`a`)", "s", null, List.of(), List.of("p"));
        router("broken", "Host(`b`)", "s", null, List.of(), List.of("q"));
        router("misspelt", "Host(`c`)", "s", null, List.of(), List.of("r"));
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertEquals(List.of("ok@file"), names(runtime.table(0).routes()));
        assertRouterError(runtime, "broken@file", ProblemKind.MIDDLEWARE,
                "middleware 'q@file' cannot be created: service 'nope@file' does not exist");
        assertRouterError(runtime, "misspelt@file", ProblemKind.MIDDLEWARE,
                "middleware 'r@file' cannot be created: service 'pagez@file' does not exist; did you mean 'pages@file'?");
    }

    @Test
    void routersWithTlsServeTlsRequestsOnlyAndTheEntryPointsHttpTlsAppliesToTheOthers() {
        service("s", "http://127.0.0.1:1");
        routers.put("secure@file", new Defined<>(new RouterConfig("Host(`a`)", List.of("web", "websecure"), List.of(), "s",
                null, new dev.gatehouse.core.config.dynamic.RouterTlsConfig(null, null, null)), "dyn.yml", "file"));
        router("plain", "Host(`b`)", "s", null, List.of("web", "websecure"), List.of());
        routers.put("unknown-options@file", new Defined<>(new RouterConfig("Host(`c`)", List.of("web"), List.of(), "s",
                null, new dev.gatehouse.core.config.dynamic.RouterTlsConfig("missing", null, null)), "dyn.yml", "file"));
        java.util.List<dev.gatehouse.core.config.dynamic.RouterTlsConfig> entryPointTls = new java.util.ArrayList<>();
        entryPointTls.add(null);
        entryPointTls.add(new dev.gatehouse.core.config.dynamic.RouterTlsConfig(null, null, null));
        try (dev.gatehouse.core.tls.TlsManager tls = new dev.gatehouse.core.tls.TlsManager(null, dev.gatehouse.core.tls.TlsEngine.JDK)) {
            GatewayRuntime runtime = new RuntimeBuilder(RuntimeSettings.builder(List.of("web", "websecure"), registry)
                    .defaultEntryPoints(List.of("web")).entryPointTls(entryPointTls).tls(tls, null).build())
                    .build(new BoundConfiguration(routers, services, middlewares, List.of()));
            assertEquals(List.of("plain@file"), names(runtime.table(0, false).routes()));
            assertEquals(List.of("secure@file"), names(runtime.table(0, true).routes()));
            assertEquals(List.of(), names(runtime.table(1, false).routes()), "websecure has http.tls: no plain routers");
            assertEquals(List.of("plain@file", "secure@file"), names(runtime.table(1, true).routes()));
            assertRouterError(runtime, "unknown-options@file", ProblemKind.TLS, "TLS options 'missing@file' do not exist");
        }
    }

    /** A request reduced to its host, for testing compiled rules. */
    private static dev.gatehouse.api.MatchContext hostOnly(String host) {
        return new dev.gatehouse.api.MatchContext() {
            @Override
            public String host() {
                return host;
            }

            @Override
            public String path() {
                return "/";
            }

            @Override
            public org.eclipse.jetty.server.Request request() {
                return null;
            }
        };
    }

    /** {@code Host} matching its argument; its v2 twin matches {@code v2-<argument>}, so the syntax used shows. */
    private static Matcher hostMatcher(String name, String hostPrefix) {
        return new Matcher() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RequestPredicate compile(List<String> arguments) {
                Matcher.requireArguments(this, arguments, 1);
                String host = hostPrefix + arguments.get(0);
                return request -> request.host().equals(host);
            }
        };
    }

    /** The routers of entry point 0 that match a request for {@code host}. */
    private static List<String> matching(GatewayRuntime runtime, String host) {
        return runtime.table(0).routes().stream().filter(r -> r.predicate().test(hostOnly(host))).map(Route::name)
                .toList();
    }

    /**
     * A reload compiles only rules it has not compiled before (the builder keeps the previous build's): a router
     * whose rule, or rule syntax, changes is matched by its new rule, and a rule that stops compiling disables it.
     */
    @Test
    void aReloadMatchesEachRouterByItsRuleAsWrittenNow() {
        ExtensionRegistry.Builder extensions = ExtensionRegistry.builder();
        extensions.add(ExtensionKind.MATCHER, hostMatcher("Host", ""));
        extensions.add(ExtensionKind.MATCHER, hostMatcher("v2:Host", "v2-"));
        RuntimeBuilder builder = new RuntimeBuilder(RuntimeSettings.builder(List.of("web"), extensions.build())
                .defaultEntryPoints(List.of("web")).build());
        service("s", "http://127.0.0.1:1");
        java.util.function.BiFunction<String, String, GatewayRuntime> reload = (rule, syntax) -> {
            routers.put("app@file", new Defined<>(new RouterConfig(rule, List.of(), List.of(), "s", null, null, null,
                    syntax), "dyn.yml", "file"));
            routers.put("other@file", new Defined<>(new RouterConfig("Host(`other`)", List.of(), List.of(), "s", null,
                    null), "dyn.yml", "file"));
            return builder.build(new BoundConfiguration(routers, services, middlewares, List.of()));
        };

        GatewayRuntime first = reload.apply("Host(`a`)", null);
        assertEquals(List.of("app@file"), matching(first, "a"));
        GatewayRuntime second = reload.apply("Host(`b`)", null);
        assertEquals(List.of(), matching(second, "a"));
        assertEquals(List.of("app@file"), matching(second, "b"));
        assertEquals(List.of("other@file"), matching(second, "other"));
        GatewayRuntime v2 = reload.apply("Host(`b`)", "v2");
        assertEquals(List.of(), matching(v2, "b"), "the same text in another syntax is compiled by that syntax");
        assertEquals(List.of("app@file"), matching(v2, "v2-b"));
        GatewayRuntime broken = reload.apply("Host(`b`", null);
        assertRouterError(broken, "app@file", ProblemKind.INVALID, "is invalid");
        assertEquals(List.of("other@file"), matching(broken, "other"));
        GatewayRuntime back = reload.apply("Host(`a`)", null);
        assertEquals(List.of("app@file"), matching(back, "a"));
    }

    /**
     * What a router refers to is built again on every reload, even when the router itself did not change: a changed
     * middleware is in the chain of the unchanged router that uses it.
     */
    @Test
    void aReloadGivesAnUnchangedRouterItsChangedMiddleware() {
        RuntimeBuilder builder = new RuntimeBuilder(RuntimeSettings.builder(List.of("web"), registry)
                .defaultEntryPoints(List.of("web")).build());
        service("s", "http://127.0.0.1:1");
        router("app", "Host(`a`)", "s", null, List.of(), List.of("m"));
        tag("m@file", "before");
        GatewayRuntime first = builder.build(new BoundConfiguration(routers, services, middlewares, List.of()));
        assertEquals(List.of("before"), tags(first.table(0).routes().get(0)));
        tag("m@file", "after");
        GatewayRuntime second = builder.build(new BoundConfiguration(routers, services, middlewares, List.of()));
        assertEquals(List.of("after"), tags(second.table(0).routes().get(0)));
    }

    /**
     * "Did you mean" for a missing service is looked up once per name, and within a bound per build, so that many
     * routers to missing services among many services cost a bounded time: every router is still disabled with
     * the error, the first ones (in name order) with the suggestion, the ones past the bound without it.
     */
    @Test
    void missingServicesAreSuggestedWithinABoundPerBuild() {
        int count = 1500;   // 1,500 missing names x 1,500 services: past the bound of comparisons
        assertTrue((long) count * count > NameSuggestions.MAX_COMPARISONS);
        for (int i = 0; i < count; i++) {
            String n = String.format("%04d", i);
            service("svc" + n, "http://127.0.0.1:1");
            router("r" + n, "Host(`h" + n + "`)", "svc" + n + "x", null, List.of(), List.of());
        }
        router("again", "Host(`again`)", "svc0000x", null, List.of(), List.of());
        GatewayRuntime runtime = build(List.of("web"), List.of("web"));
        assertRouterError(runtime, "r0000@file", ProblemKind.MISSING_SERVICE,
                "service 'svc0000x@file' does not exist; did you mean 'svc0000@file'?");
        assertRouterError(runtime, "again@file", ProblemKind.MISSING_SERVICE, "did you mean 'svc0000@file'?");
        RouterInfo last = runtime.model().router("r1499@file");
        assertRouterError(runtime, "r1499@file", ProblemKind.MISSING_SERVICE, "service 'svc1499x@file' does not exist");
        assertFalse(last.errors().toString().contains("did you mean"), last.errors().toString());
    }
}
