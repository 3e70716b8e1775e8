package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.plugin.LoadedPlugin;
import dev.gatehouse.testkit.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party plugin, compiled and packaged by the test as its author would, dropped into the plugins
 * folder: its middleware type and its rule matcher work in dynamic configuration like the bundled ones.
 */
class PluginBuiltAtTestTimeTest {

    @TempDir
    Path dir;

    @Test
    void middlewareAndMatcherOfAPluginBuiltAtTestTimeAreUsable() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         with-header:
                           rule: PathPrefix(`/hdr`)
                           middlewares: [hdr]
                           service: app
                         by-header:
                           rule: HeaderIs(`X-Test`, `yes`)
                           service: app
                       middlewares:
                         hdr:
                           addHeader:
                             name: X-Added
                             value: "yes"
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url()))) {
            TestPlugins.headerPlugin("test-headers").writeTo(gateway.pluginsDir().resolve("test-headers-1.0.0.jar"));
            gateway.start();

            LoadedPlugin loaded = gateway.application().loadedPlugins().stream()
                    .filter(p -> p.id().equals("test-headers")).findFirst()
                    .orElseThrow(() -> new AssertionError("plugin not loaded: " + gateway.application().pluginProblems()));
            assertTrue(loaded.extensions().contains("middleware type addHeader"), loaded.toString());
            assertTrue(loaded.extensions().contains("matcher HeaderIs"), loaded.toString());
            assertEquals(java.util.List.of(), gateway.application().pluginProblems());

            HttpResponse<String> withHeader = Http.get(gateway.url("/hdr/a"));
            assertEquals(200, withHeader.statusCode(), withHeader.body());
            assertEquals("yes", withHeader.headers().firstValue("X-Added").orElse(null));
            assertEquals("one", withHeader.headers().firstValue("X-Backend").orElse(null));

            HttpResponse<String> matched = Http.get(gateway.url("/elsewhere"), "X-Test", "yes");
            assertEquals(200, matched.statusCode(), matched.body());
            assertTrue(matched.body().contains("uri=/elsewhere"), matched.body());
            // The router without the middleware does not get the header.
            assertFalse(matched.headers().firstValue("X-Added").isPresent());

            assertEquals(404, Http.get(gateway.url("/elsewhere"), "X-Test", "no").statusCode());
            assertEquals(404, Http.get(gateway.url("/elsewhere")).statusCode());
        }
    }
}
