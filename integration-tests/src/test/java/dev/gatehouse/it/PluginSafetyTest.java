package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ApiVersion;
import dev.gatehouse.core.PluginsCommand;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.core.dynamic.ProviderHealth;
import dev.gatehouse.core.plugin.PluginProblem;
import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What keeps one plugin from hurting the gateway or other plugins: the API range check, the allow and deny
 * lists, per-plugin class loaders, and the guard that turns an extension's exception into a 500 for that
 * request only. {@code gatehouse plugins} reports the same facts without starting the gateway.
 */
class PluginSafetyTest {

    @TempDir
    Path dir;

    private TestBackend backend;

    @BeforeEach
    void backend() throws Exception {
        backend = TestBackend.echo("one");
    }

    @AfterEach
    void stopBackend() throws Exception {
        backend.close();
    }

    /** A gateway routing {@code /app} to the backend, plus the given routers and middlewares (YAML, indented). */
    private TestGateway gateway(String routers, String middlewares) {
        return Gateways.withDynamic(dir, """
                http:
                  routers:
                    app:
                      rule: PathPrefix(`/app`)
                      service: app
                %s%s
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(routers, middlewares.isBlank() ? "" : "  middlewares:\n" + middlewares, backend.url()));
    }

    @Test
    void pluginRequiringAnotherApiRangeIsRefusedNamingPluginRangeAndVersion() throws Exception {
        try (TestGateway gateway = gateway("", "")) {
            TestPlugins.headerPlugin("from-the-future").requires(">=9.0.0 & <10.0.0")
                    .writeTo(gateway.pluginsDir().resolve("from-the-future.jar"));
            TestPlugins.headerPlugin("fits").requires(">=" + ApiVersion.current())
                    .writeTo(gateway.pluginsDir().resolve("fits.jar"));
            gateway.start();

            List<PluginProblem> problems = gateway.application().pluginProblems();
            assertEquals(1, problems.size(), problems.toString());
            String reason = problems.get(0).reason();
            for (String part : List.of("from-the-future", ">=9.0.0 & <10.0.0", "API " + ApiVersion.current(), "refused")) {
                assertTrue(reason.contains(part), "'" + part + "' in: " + reason);
            }
            assertFalse(gateway.logLines("ERROR", "from-the-future", ">=9.0.0 & <10.0.0").isEmpty(), gateway.logs());
            assertTrue(loadedIds(gateway).contains("fits"), loadedIds(gateway).toString());
            assertFalse(loadedIds(gateway).contains("from-the-future"));
            assertEquals(200, Http.get(gateway.url("/app")).statusCode());
        }
    }

    @Test
    void pluginsDisabledAndEnabledChooseWhichPluginsLoad() throws Exception {
        try (TestGateway gateway = gateway("", "")) {
            TestPlugins.headerPlugin("unwanted").writeTo(gateway.pluginsDir().resolve("unwanted.jar"));
            TestPlugins.headerPlugin("wanted").writeTo(gateway.pluginsDir().resolve("wanted.jar"));
            gateway.flag("--plugins.disabled=unwanted");
            gateway.start();
            assertFalse(loadedIds(gateway).contains("unwanted"), loadedIds(gateway).toString());
            assertTrue(loadedIds(gateway).contains("wanted"), loadedIds(gateway).toString());
            assertEquals(List.of(), gateway.application().pluginProblems(), "a disabled plugin is not a problem");
            assertFalse(gateway.logLines("unwanted", "disabled", "plugins.disabled").isEmpty(), gateway.logs());
        }
        try (TestGateway gateway = gateway("", "")) {
            gateway.flag("--plugins.enabled=matchers-http,provider-file,wanted");
            gateway.start();
            assertEquals(List.of("matchers-http", "provider-file", "wanted"), loadedIds(gateway).stream().sorted().toList());
            assertEquals(200, Http.get(gateway.url("/app")).statusCode());
        }
    }

    @Test
    void middlewareThrowingOnARequestAnswers500ForThatRequestOnlyAndLogsThePlugin() throws Exception {
        try (TestGateway gateway = gateway("""
                    fragile:
                      rule: PathPrefix(`/fragile`)
                      middlewares: [fragile]
                      service: app
                    odd:
                      rule: PathPrefix(`/odd`) && Fails(`x`)
                      service: app
                """, """
                    fragile:
                      fragile: {}
                """)) {
            PluginJarBuilder.plugin("fragile-plugin", "1.0.0")
                    .source("com.example.fragile.Fragile", """
                            package com.example.fragile;

                            import dev.gatehouse.api.Middleware;
                            import org.eclipse.jetty.server.Handler;
                            import org.eclipse.jetty.server.Request;
                            import org.eclipse.jetty.server.Response;
                            import org.eclipse.jetty.util.Callback;

                            @org.pf4j.Extension
                            public final class Fragile implements Middleware<Fragile.Config> {
                                public record Config() {}
                                public String name() { return "fragile"; }
                                public Class<Config> configType() { return Config.class; }
                                public Handler.Wrapper create(Config config, dev.gatehouse.api.MiddlewareContext context) {
                                    return new Handler.Wrapper() {
                                        @Override
                                        public boolean handle(Request request, Response response, Callback callback) throws Exception {
                                            if (request.getHeaders().contains("X-Break")) {
                                                throw new IllegalStateException("fragile broke");
                                            }
                                            return super.handle(request, response, callback);
                                        }
                                    };
                                }
                            }
                            """)
                    .source("com.example.fragile.Fails", """
                            package com.example.fragile;

                            import dev.gatehouse.api.Matcher;
                            import dev.gatehouse.api.RequestPredicate;
                            import java.util.List;

                            @org.pf4j.Extension
                            public final class Fails implements Matcher {
                                public String name() { return "Fails"; }
                                public RequestPredicate compile(List<String> arguments) {
                                    return request -> {
                                        throw new IllegalArgumentException("matcher broke");
                                    };
                                }
                            }
                            """)
                    .writeTo(gateway.pluginsDir().resolve("fragile.jar"));
            gateway.start();

            HttpResponse<String> broken = Http.get(gateway.url("/fragile/a"), "X-Break", "1");
            assertEquals(500, broken.statusCode(), broken.body());
            assertFalse(gateway.logLines("fragile-plugin", "middleware type fragile", "fragile broke").isEmpty(), gateway.logs());

            HttpResponse<String> fine = Http.get(gateway.url("/fragile/b"));
            assertEquals(200, fine.statusCode(), fine.body());
            assertTrue(fine.body().contains("backend=one"), fine.body());

            assertEquals(500, Http.get(gateway.url("/odd")).statusCode());
            assertFalse(gateway.logLines("fragile-plugin", "matcher Fails", "matcher broke").isEmpty(), gateway.logs());
            assertEquals(200, Http.get(gateway.url("/app")).statusCode(), "the rest of the gateway is unaffected");
        }
    }

    @Test
    void extensionsThrowingAtStartAreLeftOutAndTheRestServes() throws Exception {
        try (TestGateway gateway = gateway("""
                    broken-chain:
                      rule: PathPrefix(`/broken`)
                      middlewares: [explodes]
                      service: app
                """, """
                    explodes:
                      explodingMiddleware: {}
                """)) {
            gateway.staticConfig("""
                    entryPoints:
                      web:
                        address: "127.0.0.1:0"
                    providers:
                      providersThrottleDuration: 200ms
                      file:
                        directory: dynamic
                      exploding: {}
                    metrics:
                      prometheus:
                        entryPoint: web
                    """);
            PluginJarBuilder.plugin("exploding-plugin", "1.0.0")
                    .source("com.example.exploding.ExplodingProvider", """
                            package com.example.exploding;

                            import dev.gatehouse.api.Provider;
                            import dev.gatehouse.api.ProviderContext;

                            @org.pf4j.Extension
                            public final class ExplodingProvider implements Provider<ExplodingProvider.Config> {
                                public record Config() {}
                                public String name() { return "exploding"; }
                                public Class<Config> configType() { return Config.class; }
                                public Running start(Config config, ProviderContext context) {
                                    throw new IllegalStateException("provider exploded at start");
                                }
                            }
                            """)
                    .source("com.example.exploding.ExplodingMiddleware", """
                            package com.example.exploding;

                            import dev.gatehouse.api.Middleware;
                            import org.eclipse.jetty.server.Handler;

                            @org.pf4j.Extension
                            public final class ExplodingMiddleware implements Middleware<ExplodingMiddleware.Config> {
                                public record Config() {}
                                public String name() { return "explodingMiddleware"; }
                                public Class<Config> configType() { return Config.class; }
                                public Handler.Wrapper create(Config config, dev.gatehouse.api.MiddlewareContext context) {
                                    throw new IllegalStateException("middleware exploded in create");
                                }
                            }
                            """)
                    .writeTo(gateway.pluginsDir().resolve("exploding.jar"));
            gateway.start();

            assertFalse(gateway.logLines("Provider exploding", "left out", "provider exploded at start").isEmpty(),
                    gateway.logs());
            assertFalse(gateway.routerEnabled("broken-chain@file"));
            assertTrue(gateway.application().runtime().problems().toString().contains("middleware exploded in create"),
                    gateway.application().runtime().problems().toString());
            assertEquals(404, Http.get(gateway.url("/broken")).statusCode());
            assertEquals(200, Http.get(gateway.url("/app")).statusCode(), "the rest of the gateway serves");
            // The provider that could not start is "failed" where an operator looks: the API's provider health and the metric.
            ProviderHealth.Status exploding = gateway.application().providerStatuses().stream()
                    .filter(status -> status.provider().equals("exploding")).findFirst().orElseThrow();
            assertEquals(ProviderHealth.State.FAILED, exploding.state(), exploding.toString());
            assertTrue(exploding.problem().contains("provider exploded at start"), exploding.toString());
            String scrape = Http.get(gateway.url("/metrics")).body();
            assertTrue(scrape.contains("traefik_provider_up{provider=\"exploding\"} 0.0"), scrape);
            assertTrue(scrape.contains("traefik_provider_up{provider=\"file\"} 1.0"), scrape);
        }
    }

    @Test
    void pluginBundlingAnOldGuavaUsesItsOwnNextToTheCoresGuava() throws Exception {
        Path oldGuava = Path.of(System.getProperty("gatehouse.it.old.guava", "target/test-libs/guava-16.0.1.jar"));
        assertTrue(Files.isRegularFile(oldGuava), oldGuava.toString());
        try (TestGateway gateway = gateway("""
                    old:
                      rule: PathPrefix(`/old`)
                      middlewares: [old]
                      service: app
                """, """
                    old:
                      oldGuava: {}
                """)) {
            // Objects.toStringHelper was removed from Guava in 21; the core ships 33. Under parent-first loading
            // this plugin would fail with NoSuchMethodError.
            PluginJarBuilder.plugin("old-guava", "1.0.0").library(oldGuava)
                    .source("com.example.oldguava.OldGuava", """
                            package com.example.oldguava;

                            import com.google.common.base.Objects;
                            import dev.gatehouse.api.Middleware;
                            import org.eclipse.jetty.server.Handler;
                            import org.eclipse.jetty.server.Request;
                            import org.eclipse.jetty.server.Response;
                            import org.eclipse.jetty.util.Callback;

                            @org.pf4j.Extension
                            public final class OldGuava implements Middleware<OldGuava.Config> {
                                public record Config() {}
                                public String name() { return "oldGuava"; }
                                public Class<Config> configType() { return Config.class; }
                                public Handler.Wrapper create(Config config, dev.gatehouse.api.MiddlewareContext context) {
                                    String value = Objects.toStringHelper("guava").add("v", 16).toString();
                                    return new Handler.Wrapper() {
                                        @Override
                                        public boolean handle(Request request, Response response, Callback callback) throws Exception {
                                            response.getHeaders().put("X-Guava", value);
                                            return super.handle(request, response, callback);
                                        }
                                    };
                                }
                            }
                            """)
                    .writeTo(gateway.pluginsDir().resolve("old-guava.jar"));
            gateway.start();

            assertEquals(List.of(), gateway.application().pluginProblems());
            HttpResponse<String> response = Http.get(gateway.url("/old"));
            assertEquals(200, response.statusCode(), response.body() + gateway.application().runtime().problems());
            assertEquals("guava{v=16}", response.headers().firstValue("X-Guava").orElse(null));
            // The core's Guava is the new one, without the method the plugin just used.
            assertThrows(NoSuchMethodException.class,
                    () -> com.google.common.base.Objects.class.getMethod("toStringHelper", String.class));
        }
    }

    @Test
    void pluginsCommandListsEveryFileWithItsStateAndReasons() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        for (Path jar : Files.list(Gateways.BUNDLED_PLUGINS).filter(p -> p.toString().endsWith(".jar")).toList()) {
            Files.copy(jar, plugins.resolve(jar.getFileName()));
        }
        TestPlugins.headerPlugin("from-the-future").requires(">=9.0.0").writeTo(plugins.resolve("future.jar"));
        TestPlugins.headerPlugin("unwanted").writeTo(plugins.resolve("unwanted.jar"));
        Files.write(plugins.resolve("corrupt.jar"), new byte[] {1, 2, 3});
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                plugins:
                  dir: plugins
                  disabled: [unwanted]
                """);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = PluginsCommand.run(StaticConfigurationLoader.load(List.of("--configFile=" + config), Map.of(), dir, null),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String output = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(1, status, output);
        assertTrue(output.contains("Gatehouse API " + ApiVersion.current()), output);
        assertTrue(output.contains("matchers-http") && output.contains("started") && output.contains("matcher Host"), output);
        assertTrue(output.contains("future.jar  from-the-future 1.0.0  incompatible  (requires API >=9.0.0)"), output);
        assertTrue(output.contains("unwanted.jar  unwanted 1.0.0  disabled"), output);
        assertTrue(output.contains("listed in plugins.disabled"), output);
        assertTrue(output.contains("corrupt.jar  ?  failed"), output);
    }

    private static List<String> loadedIds(TestGateway gateway) {
        return gateway.application().loadedPlugins().stream().map(p -> p.id()).toList();
    }
}
