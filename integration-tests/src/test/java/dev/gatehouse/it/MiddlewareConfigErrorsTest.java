package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.testkit.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A middleware of an unknown type, or with an option its type does not have, disables the routers that
 * use it, with a problem that names the middleware and the type or the key; every other router serves.
 */
class MiddlewareConfigErrorsTest {

    @TempDir
    Path dir;

    @Test
    void unknownTypeAndUnknownOptionDisableOnlyTheRoutersUsingThem() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         plain:
                           rule: PathPrefix(`/plain`)
                           service: app
                         good-middleware:
                           rule: PathPrefix(`/good`)
                           middlewares: [hdr]
                           service: app
                         unknown-type:
                           rule: PathPrefix(`/unknown-type`)
                           middlewares: [hdr, mystery]
                           service: app
                         bad-option:
                           rule: PathPrefix(`/bad-option`)
                           middlewares: [misconfigured]
                           service: app
                       middlewares:
                         hdr:
                           addHeader:
                             name: X-Added
                             value: "yes"
                         mystery:
                           noSuchType:
                             foo: bar
                         misconfigured:
                           addHeader:
                             name: X-Added
                             colour: red
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url()))) {
            TestPlugins.headerPlugin("test-headers").writeTo(gateway.pluginsDir().resolve("test-headers.jar"));
            gateway.start();

            assertEquals(200, Http.get(gateway.url("/plain")).statusCode());
            HttpResponse<String> good = Http.get(gateway.url("/good"));
            assertEquals(200, good.statusCode());
            assertEquals("yes", good.headers().firstValue("X-Added").orElse(null));
            assertEquals(404, Http.get(gateway.url("/unknown-type")).statusCode());
            assertEquals(404, Http.get(gateway.url("/bad-option")).statusCode());

            Map<String, String> status = gateway.application().runtime().routerStatus();
            assertEquals("enabled", status.get("plain@file"));
            assertEquals("enabled", status.get("good-middleware@file"));
            assertEquals("disabled", status.get("unknown-type@file"));
            assertEquals("disabled", status.get("bad-option@file"));

            String file = gateway.dynamicDir().resolve("test.yml").toString();
            List<ConfigProblem> problems = gateway.application().runtime().problems();
            ReloadTest.assertProblem(problems, file, "middleware mystery@file", "unknown middleware type 'noSuchType'",
                    "addHeader");
            ReloadTest.assertProblem(problems, file, "middleware misconfigured@file", "colour");
            ReloadTest.assertProblem(problems, file, "router unknown-type@file", "mystery@file");
            ReloadTest.assertProblem(problems, file, "router bad-option@file", "misconfigured@file");
            assertTrue(problems.stream().noneMatch(p -> p.element().contains("hdr") || p.element().contains("plain")
                    || p.element().contains("good-middleware")), problems.toString());
            assertFalse(gateway.logLines("ERROR", "mystery@file", "noSuchType").isEmpty(), gateway.logs());
            assertFalse(gateway.logLines("ERROR", "misconfigured@file", "colour").isEmpty(), gateway.logs());
        }
    }
}
