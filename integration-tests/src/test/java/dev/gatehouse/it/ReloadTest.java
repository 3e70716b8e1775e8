package dev.gatehouse.it;

import static dev.gatehouse.it.ModelAssertions.assertNoProblem;
import static dev.gatehouse.it.ModelAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.runtime.GatewayRuntime;
import dev.gatehouse.core.runtime.Status;
import dev.gatehouse.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Changes to the watched dynamic files take effect while the gateway serves, and mistakes stay local. */
class ReloadTest {

    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static String route(String router, String rule, String service, String url) {
        return """
                http:
                  routers:
                    %s:
                      rule: %s
                      service: %s
                  services:
                    %s:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(router, rule, service, service, url);
    }

    @Test
    void changingTheFileSwitchesTheRouteWithinSeconds() throws Exception {
        try (TestBackend one = TestBackend.echo("one");
             TestBackend two = TestBackend.echo("two");
             TestGateway gateway = Gateways.withDynamic(dir, route("r", "PathPrefix(`/r`)", "svc", one.url())).start()) {
            assertTrue(Http.get(gateway.url("/r")).body().contains("backend=one"));

            long written = System.nanoTime();
            gateway.writeDynamic("test.yml", route("r", "PathPrefix(`/r`)", "svc", two.url()));
            Poll.untilValue("the new route is served", Duration.ofSeconds(10), () -> Http.get(gateway.url("/r")).body(),
                    body -> body.contains("backend=two"));
            long elapsedMillis = (System.nanoTime() - written) / 1_000_000;
            assertTrue(elapsedMillis < 3000, "the new route took " + elapsedMillis + " ms to be served");
        }
    }

    @Test
    void requestInFlightDuringAReloadCompletes() throws Exception {
        try (TestBackend slow = TestBackend.delayed("slow", Duration.ofSeconds(1));
             TestBackend other = TestBackend.echo("other");
             TestGateway gateway = Gateways.withDynamic(dir, route("r", "PathPrefix(`/slow`)", "svc", slow.url())).start()) {
            CompletableFuture<HttpResponse<String>> inFlight = Http.client().sendAsync(
                    HttpRequest.newBuilder(URI.create(gateway.url("/slow"))).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitTrue(() -> slow.requests() == 1, Duration.ofSeconds(5), "the slow backend got the request");

            long generation = gateway.application().generation();
            gateway.writeDynamic("test.yml", route("r2", "PathPrefix(`/other`)", "svc2", other.url()));
            gateway.awaitReload(generation, () -> gateway.routerEnabled("r2@file"), RELOAD_TIMEOUT);
            assertEquals(404, Http.get(gateway.url("/slow")).statusCode(), "the old route is gone");

            HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("backend=slow"), response.body());
        }
    }

    /**
     * A request outlasts the reloads that happen while it runs: the runtime it started on stays up until it is done,
     * however long past the grace time (here 1 s, and a request of 3 s on a service with its own serversTransport,
     * whose client belongs to that runtime).
     */
    @Test
    void aRequestLongerThanTheGraceTimeFinishesAcrossAReload() throws Exception {
        try (TestBackend slow = TestBackend.delayed("slow", Duration.ofSeconds(3));
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         slow:
                           rule: PathPrefix(`/slow`)
                           service: slow
                       services:
                         slow:
                           loadBalancer:
                             serversTransport: own
                             servers:
                               - url: %s
                       serversTransports:
                         own:
                           maxIdleConnsPerHost: 4
                     """.formatted(slow.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                         transport:
                           lifeCycle:
                             graceTimeOut: 1s
                     providers:
                       providersThrottleDuration: 100ms
                       file:
                         directory: dynamic
                     """).start()) {
            CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> Http.get(gateway.url("/slow")));
            // Until the request is at the backend, on the runtime about to be replaced.
            Poll.until("the slow backend got the request", Duration.ofSeconds(5), () -> slow.requests() > 0);
            long generation = gateway.application().generation();
            gateway.writeDynamic("other.yml", route("other", "PathPrefix(`/other`)", "other", slow.url()));
            gateway.awaitReload(generation, () -> gateway.routerEnabled("other@file"), RELOAD_TIMEOUT);

            HttpResponse<String> slowResponse = response.get(10, TimeUnit.SECONDS);
            assertEquals(200, slowResponse.statusCode(), slowResponse.body());
            assertTrue(slowResponse.body().contains("backend=slow"), slowResponse.body());
        }
    }

    @Test
    void syntaxErrorInOneFileKeepsItsLastGoodRoutesWhileOtherFilesChange() throws Exception {
        try (TestBackend one = TestBackend.echo("one");
             TestBackend two = TestBackend.echo("two");
             TestGateway gateway = Gateways.withDynamic(dir, route("a", "PathPrefix(`/a`)", "sa", one.url()))) {
            gateway.writeDynamic("b.yml", route("b", "PathPrefix(`/b`)", "sb", one.url()));
            gateway.start();
            assertTrue(Http.get(gateway.url("/a")).body().contains("backend=one"));
            assertTrue(Http.get(gateway.url("/b")).body().contains("backend=one"));

            long generation = gateway.application().generation();
            gateway.writeDynamic("test.yml", "http:\n  routers:\n    a: [unclosed\n");
            gateway.writeDynamic("b.yml", route("b", "PathPrefix(`/b`)", "sb", two.url()));
            String file = gateway.dynamicDir().resolve("test.yml").toString();
            // The file provider reports a file that does not parse once it stayed so for 1 s (a writer may have
            // paused mid-file), so the error may come a reload after b.yml's change.
            gateway.awaitReload(generation, () -> Http.get(gateway.url("/b")).body().contains("backend=two")
                    && gateway.application().runtime().problems().stream()
                            .anyMatch(p -> String.valueOf(p.origin()).contains(file) && p.message().contains("last good")),
                    RELOAD_TIMEOUT);

            HttpResponse<String> a = Http.get(gateway.url("/a"));
            assertEquals(200, a.statusCode(), a.body());
            assertTrue(a.body().contains("backend=one"), a.body());
        }
    }

    @Test
    void badRouterMissingServiceAndBadUrlDisableOnlyThemselves() throws Exception {
        try (TestBackend one = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, route("good", "PathPrefix(`/good`)", "svc", one.url()))
                     .start()) {
            assertEquals(200, Http.get(gateway.url("/good")).statusCode());

            long generation = gateway.application().generation();
            gateway.writeDynamic("test.yml", """
                    http:
                      routers:
                        good:
                          rule: PathPrefix(`/good`)
                          service: svc
                        bad-rule:
                          rule: PathPrefix(`/bad-rule`) && && Method(`GET`)
                          service: svc
                        no-service:
                          rule: PathPrefix(`/no-service`)
                          service: nowhere
                        bad-url:
                          rule: PathPrefix(`/bad-url`)
                          service: broken
                        also-good:
                          rule: PathPrefix(`/also-good`)
                          service: svc
                      services:
                        svc:
                          loadBalancer:
                            servers:
                              - url: %s
                        broken:
                          loadBalancer:
                            servers:
                              - url: "ftp://example.com/"
                    """.formatted(one.url()));
            gateway.awaitReload(generation, () -> gateway.routerEnabled("also-good@file"), RELOAD_TIMEOUT);

            assertEquals(200, Http.get(gateway.url("/good")).statusCode());
            assertEquals(200, Http.get(gateway.url("/also-good")).statusCode());
            for (String path : List.of("/bad-rule", "/no-service", "/bad-url")) {
                assertEquals(404, Http.get(gateway.url(path)).statusCode(), path);
            }
            for (String router : List.of("bad-rule@file", "no-service@file", "bad-url@file")) {
                assertEquals(Status.DISABLED, gateway.routerStatus(router), router);
            }

            String file = gateway.dynamicDir().resolve("test.yml").toString();
            assertProblem(gateway, file, ConfigElement.router("bad-rule@file"), ProblemKind.INVALID);
            assertProblem(gateway, file, ConfigElement.router("no-service@file"), ProblemKind.MISSING_SERVICE);
            assertProblem(gateway, file, ConfigElement.service("broken@file"), ProblemKind.INVALID);
            assertProblem(gateway, file, ConfigElement.router("bad-url@file"), ProblemKind.MISSING_SERVICE);
            assertNoProblem(gateway, ConfigElement.router("good@file"), ConfigElement.router("also-good@file"),
                    ConfigElement.service("svc@file"));
        }
    }

    @Test
    void deletingTheFileRemovesItsRoutes() throws Exception {
        try (TestBackend one = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, route("r", "PathPrefix(`/r`)", "svc", one.url()))) {
            gateway.writeDynamic("stays.yml", route("s", "PathPrefix(`/s`)", "svs", one.url()));
            gateway.start();
            assertEquals(200, Http.get(gateway.url("/r")).statusCode());

            long generation = gateway.application().generation();
            gateway.deleteDynamic("test.yml");
            gateway.awaitReload(generation, () -> gateway.routerStatus("r@file") == null,
                    RELOAD_TIMEOUT);
            assertEquals(404, Http.get(gateway.url("/r")).statusCode());
            assertEquals(200, Http.get(gateway.url("/s")).statusCode());
        }
    }

    @Test
    void fileBrokenFromTheStartIsReportedAndItsFixIsApplied() throws Exception {
        try (TestBackend one = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, "http:\n  routers: [unclosed\n")) {
            gateway.writeDynamic("other.yml", route("o", "PathPrefix(`/o`)", "so", one.url()));
            gateway.start();
            assertEquals(200, Http.get(gateway.url("/o")).statusCode());
            String file = gateway.dynamicDir().resolve("test.yml").toString();
            assertTrue(gateway.application().runtime().problems().stream()
                            .anyMatch(p -> String.valueOf(p.origin()).contains(file) && p.message().contains("Nothing from this file")),
                    gateway.application().runtime().problems().toString());

            long generation = gateway.application().generation();
            gateway.writeDynamic("test.yml", route("r", "PathPrefix(`/r`)", "svc", one.url()));
            gateway.awaitReload(generation, () -> gateway.routerEnabled("r@file"), RELOAD_TIMEOUT);
            assertEquals(200, Http.get(gateway.url("/r")).statusCode());
            assertEquals(200, Http.get(gateway.url("/o")).statusCode());
            assertTrue(gateway.application().runtime().problems().stream()
                    .noneMatch(p -> String.valueOf(p.origin()).contains(file)), gateway.application().runtime().problems().toString());
        }
    }

    @Test
    void pluginMiddlewareKeepsWorkingAfterTheRuntimesBeforeTheReloadAreRetired() throws Exception {
        String config = """
                http:
                  routers:
                    r:
                      rule: PathPrefix(`/r`)
                      middlewares: [hdr]
                      service: svc
                  middlewares:
                    hdr:
                      addHeader:
                        name: X-Added
                        value: "%s"
                  services:
                    svc:
                      loadBalancer:
                        servers:
                          - url: %s
                """;
        try (TestBackend one = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, config.formatted("v1", one.url()))
                     // Shutdown only: a retired runtime stops once its last request is done, whatever this says.
                     .flag("--entryPoints.web.transport.lifeCycle.graceTimeOut=500ms")) {
            TestPlugins.headerPlugin("test-headers").writeTo(gateway.pluginsDir().resolve("test-headers.jar"));
            gateway.start();
            assertEquals("v1", Http.get(gateway.url("/r")).headers().firstValue("X-Added").orElse(null));

            long generation = gateway.application().generation();
            GatewayRuntime previous = gateway.application().runtime();
            gateway.writeDynamic("test.yml", config.formatted("v2", one.url()));
            gateway.awaitReload(generation, () -> "v2".equals(Http.get(gateway.url("/r")).headers()
                    .firstValue("X-Added").orElse(null)), RELOAD_TIMEOUT);
            Poll.until("the previous runtime stopped", RELOAD_TIMEOUT, previous::stopped);

            HttpResponse<String> after = Http.get(gateway.url("/r"));
            assertEquals(200, after.statusCode(), after.body());
            assertEquals("v2", after.headers().firstValue("X-Added").orElse(null));
            assertTrue(after.body().contains("backend=one"), after.body());
        }
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        Poll.until(what, timeout, condition::getAsBoolean);
    }
}
