package dev.gatehouse.it;

import static dev.gatehouse.it.ModelAssertions.assertNoProblem;
import static dev.gatehouse.it.ModelAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.runtime.Status;
import dev.gatehouse.testkit.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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

            assertEquals(Status.ENABLED, gateway.routerStatus("plain@file"));
            assertEquals(Status.ENABLED, gateway.routerStatus("good-middleware@file"));
            assertEquals(Status.DISABLED, gateway.routerStatus("unknown-type@file"));
            assertEquals(Status.DISABLED, gateway.routerStatus("bad-option@file"));

            String file = gateway.dynamicDir().resolve("test.yml").toString();
            // What the user reads about the middleware itself is what this test is about: its type, its option.
            assertProblem(gateway, file, ConfigElement.middleware("mystery@file"), ProblemKind.INVALID,
                    "unknown middleware type 'noSuchType'", "addHeader");
            assertProblem(gateway, file, ConfigElement.middleware("misconfigured@file"), ProblemKind.INVALID, "colour");
            assertProblem(gateway, file, ConfigElement.router("unknown-type@file"), ProblemKind.MIDDLEWARE);
            assertProblem(gateway, file, ConfigElement.router("bad-option@file"), ProblemKind.MIDDLEWARE);
            assertNoProblem(gateway, ConfigElement.middleware("hdr@file"), ConfigElement.router("plain@file"),
                    ConfigElement.router("good-middleware@file"));
            assertFalse(gateway.logLines("ERROR", "mystery@file", "noSuchType").isEmpty(), gateway.logs());
            assertFalse(gateway.logLines("ERROR", "misconfigured@file", "colour").isEmpty(), gateway.logs());
        }
    }
}
