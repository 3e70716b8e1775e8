package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.plugin.PluginProblem;
import dev.gatehouse.testkit.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken plugin in the plugins folder is reported (API and log, naming its file and the reason) and
 * left out; the gateway starts and routes with the bundled plugins as if it were not there.
 */
class BrokenPluginsTest {

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

    @Test
    void corruptJarIsLeftOut() throws Exception {
        withGateway(plugins -> {
            byte[] garbage = new byte[4096];
            new Random(42).nextBytes(garbage);
            write(plugins.resolve("x.jar"), garbage);
        }, gateway -> {
            PluginProblem problem = assertLeftOut(gateway, "x.jar", "cannot be loaded");
            assertEquals(null, problem.pluginId());
        });
    }

    @Test
    void jarWithoutPluginManifestIsLeftOut() throws Exception {
        withGateway(plugins -> TestPlugins.headerPlugin("no-manifest").withoutPluginManifest()
                .writeTo(plugins.resolve("no-manifest.jar")), gateway -> {
            assertLeftOut(gateway, "no-manifest.jar", "cannot be loaded", "'id'");
            assertNoMatcher(gateway, "HeaderIs");
        });
    }

    @Test
    void pluginWhoseStartThrowsIsLeftOut() throws Exception {
        withGateway(plugins -> TestPlugins.headerPlugin("failing-start")
                .pluginClass("com.example.failing.FailingPlugin")
                .source("com.example.failing.FailingPlugin", """
                        package com.example.failing;

                        public class FailingPlugin extends org.pf4j.Plugin {
                            @Override
                            public void start() {
                                throw new IllegalStateException("license server unreachable");
                            }
                        }
                        """)
                .writeTo(plugins.resolve("failing-start.jar")), gateway -> {
            PluginProblem problem = assertLeftOut(gateway, "failing-start.jar", "did not start", "license server unreachable");
            assertEquals("failing-start", problem.pluginId());
            assertNoMatcher(gateway, "HeaderIs");
        });
    }

    @Test
    void extensionReferencingAClassMissingFromTheJarIsLeftOut() throws Exception {
        withGateway(plugins -> PluginJarBuilder.plugin("missing-class", "1.0.0")
                .source("com.example.missing.Helper", """
                        package com.example.missing;

                        public class Helper {
                            public boolean yes() {
                                return true;
                            }
                        }
                        """)
                .source("com.example.missing.NeedsHelper", """
                        package com.example.missing;

                        import dev.gatehouse.api.Matcher;
                        import dev.gatehouse.api.RequestPredicate;
                        import java.util.List;

                        @org.pf4j.Extension
                        public final class NeedsHelper implements Matcher {
                            private final Helper helper = new Helper();

                            public String name() {
                                return "NeedsHelper";
                            }

                            public RequestPredicate compile(List<String> arguments) {
                                return request -> helper.yes();
                            }
                        }
                        """)
                .omitFromJar("com.example.missing.Helper")
                .writeTo(plugins.resolve("missing-class.jar")), gateway -> {
            PluginProblem problem = assertExtensionLeftOut(gateway, "missing-class.jar", "com.example.missing.NeedsHelper",
                    "com.example.missing.Helper");
            assertEquals("missing-class", problem.pluginId());
            assertNoMatcher(gateway, "NeedsHelper");
        });
    }

    @Test
    void extensionWhoseConstructorThrowsIsLeftOutAndTheOtherExtensionsOfItsPluginWork() throws Exception {
        withGateway(plugins -> TestPlugins.headerPlugin("throwing-constructor")
                .source("com.example.throwing.Boom", """
                        package com.example.throwing;

                        import dev.gatehouse.api.Matcher;
                        import dev.gatehouse.api.RequestPredicate;
                        import java.util.List;

                        @org.pf4j.Extension
                        public final class Boom implements Matcher {
                            public Boom() {
                                throw new IllegalStateException("boom in constructor");
                            }

                            public String name() {
                                return "Boom";
                            }

                            public RequestPredicate compile(List<String> arguments) {
                                return request -> true;
                            }
                        }
                        """)
                .writeTo(plugins.resolve("throwing-constructor.jar")), gateway -> {
            PluginProblem problem = assertExtensionLeftOut(gateway, "throwing-constructor.jar", "com.example.throwing.Boom",
                    "boom in constructor");
            assertEquals("throwing-constructor", problem.pluginId());
            assertNoMatcher(gateway, "Boom");
            // The plugin's healthy extensions are in use.
            assertTrue(gateway.application().loadedPlugins().stream()
                    .anyMatch(p -> p.id().equals("throwing-constructor") && p.extensions().contains("matcher HeaderIs")),
                    gateway.application().loadedPlugins().toString());
        });
    }

    @Test
    void twoPluginsProvidingTheSameMatcherNameAreReportedAndTheFirstByIdIsKept() throws Exception {
        // File names sort the other way round than the ids: the rule is "first by plugin id".
        withGateway(plugins -> {
            clashPlugin("clash-a", "true").writeTo(plugins.resolve("z-clash-a.jar"));
            clashPlugin("clash-b", "false").writeTo(plugins.resolve("a-clash-b.jar"));
        }, gateway -> {
            PluginProblem problem = assertExtensionLeftOut(gateway, "a-clash-b.jar", "clash-a", "clash-b", "matcher Clash");
            assertEquals("clash-b", problem.pluginId());
            gateway.writeDynamic("clash.yml", """
                    http:
                      routers:
                        clash:
                          rule: Clash(`x`) && PathPrefix(`/clash`)
                          service: app
                      services:
                        app:
                          loadBalancer:
                            servers:
                              - url: %s
                    """.formatted(backend.url()));
            long generation = gateway.application().generation();
            try {
                gateway.awaitReload(generation, () -> gateway.routerEnabled("clash@file"), java.time.Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            // clash-a's Clash matches every request, clash-b's none.
            assertEquals(200, Http.get(gateway.url("/clash")).statusCode());
        });
    }

    private static PluginJarBuilder clashPlugin(String id, String matches) {
        String pkg = "com.example." + id.replace('-', '_');
        return PluginJarBuilder.plugin(id, "1.0.0").source(pkg + ".Clash", """
                package %s;

                import dev.gatehouse.api.Matcher;
                import dev.gatehouse.api.RequestPredicate;
                import java.util.List;

                @org.pf4j.Extension
                public final class Clash implements Matcher {
                    public String name() {
                        return "Clash";
                    }

                    public RequestPredicate compile(List<String> arguments) {
                        return request -> %s;
                    }
                }
                """.formatted(pkg, matches));
    }

    private interface GatewayCheck {
        void check(TestGateway gateway) throws Exception;
    }

    /** Starts a gateway with a routed backend and the broken plugin(s), checks it routes, then runs {@code check}. */
    private void withGateway(Consumer<Path> addPlugins, GatewayCheck check) throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    app:
                      rule: PathPrefix(`/app`)
                      service: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(backend.url()))) {
            addPlugins.accept(gateway.pluginsDir());
            gateway.start();

            HttpResponse<String> routed = Http.get(gateway.url("/app/x"));
            assertEquals(200, routed.statusCode(), routed.body());
            assertTrue(routed.body().contains("backend=one"), routed.body());
            assertEquals(404, Http.get(gateway.url("/other")).statusCode());
            List<String> bundled = gateway.application().loadedPlugins().stream().map(p -> p.id()).toList();
            assertTrue(bundled.containsAll(List.of("matchers-http", "provider-file")), bundled.toString());

            check.check(gateway);
        }
    }

    /**
     * The problem about {@code file}, which leaves the whole plugin out; its reason and a logged error line
     * (saying the plugin is left out) contain every part.
     */
    private static PluginProblem assertLeftOut(TestGateway gateway, String file, String... reasonParts) {
        PluginProblem problem = assertProblem(gateway, file, reasonParts);
        String leftOut = "Plugin " + gateway.pluginsDir().resolve(file) + " left out";
        assertTrue(gateway.logLines("ERROR", leftOut).size() == 1, "'" + leftOut + "' in the log:\n" + gateway.logs());
        return problem;
    }

    /**
     * The problem about one extension of the plugin in {@code file}: reported like {@link #assertLeftOut},
     * but the plugin itself stays in use, and the log must not say it is left out.
     */
    private static PluginProblem assertExtensionLeftOut(TestGateway gateway, String file, String... reasonParts) {
        PluginProblem problem = assertProblem(gateway, file, reasonParts);
        String leftOut = "Plugin " + gateway.pluginsDir().resolve(file) + " left out";
        assertTrue(gateway.logLines(leftOut).isEmpty(), "the plugin is in use, the log must not say '" + leftOut
                + "':\n" + gateway.logLines(file));
        assertTrue(gateway.application().loadedPlugins().stream().anyMatch(p -> p.file().equals(file)),
                gateway.application().loadedPlugins().toString());
        return problem;
    }

    private static PluginProblem assertProblem(TestGateway gateway, String file, String... reasonParts) {
        List<PluginProblem> problems = gateway.application().pluginProblems();
        List<PluginProblem> forFile = problems.stream().filter(p -> p.file().equals(file)).toList();
        assertEquals(1, forFile.size(), "one problem for " + file + ": " + problems);
        PluginProblem problem = forFile.get(0);
        for (String part : reasonParts) {
            assertTrue(problem.reason().contains(part), "'" + part + "' in: " + problem);
        }
        List<String> logged = gateway.logLines("ERROR", "PluginHost", gateway.pluginsDir().resolve(file).toString());
        assertEquals(1, logged.size(), "one error line naming " + file + " in the log:\n" + gateway.logs());
        for (String part : reasonParts) {
            assertTrue(logged.get(0).contains(part), "'" + part + "' in the log line: " + logged);
        }
        return problem;
    }

    private static void assertNoMatcher(TestGateway gateway, String matcher) {
        assertFalse(gateway.application().loadedPlugins().stream().anyMatch(p -> p.extensions().contains("matcher " + matcher)),
                gateway.application().loadedPlugins().toString());
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
