package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chain} middlewares and the middlewares of entry points ({@code entryPoints.<ep>.http.middlewares}), through
 * the real gateway with the bundled middlewares-std plugin.
 */
class ChainAndEntryPointMiddlewaresTest {

    @TempDir
    Path dir;

    @Test
    void entryPointMiddlewaresRunFirstThenTheRoutersWithChainsExpandedInOrder() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             GatewayHarness gateway = GatewayHarness.withDynamic(dir, """
                     http:
                       routers:
                         chained:
                           rule: PathPrefix(`/c`)
                           middlewares: [strip-and-tag]
                           service: app
                         looping:
                           rule: PathPrefix(`/loop`)
                           middlewares: [loop-a]
                           service: app
                       middlewares:
                         ep-tag:
                           headers:
                             customRequestHeaders:
                               X-Entry-Point: web
                               X-Order: entry-point
                         strip-and-tag:
                           chain:
                             middlewares: [strip-c, add-v1, tag-router]
                         strip-c:
                           stripPrefix:
                             prefixes: [/c]
                         add-v1:
                           addPrefix:
                             prefix: /v1
                         tag-router:
                           headers:
                             customRequestHeaders:
                               X-Order: router
                         loop-a:
                           chain:
                             middlewares: [loop-b]
                         loop-b:
                           chain:
                             middlewares: [loop-a]
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url()))) {
            gateway.staticConfig("""
                    entryPoints:
                      web:
                        address: "127.0.0.1:0"
                        http:
                          middlewares: [ep-tag@file]
                    ping:
                      entryPoint: web
                    providers:
                      providersThrottleDuration: 200ms
                      file:
                        directory: dynamic
                    """);
            gateway.start();

            Echoed echoed = Echoed.parse(Http.get(gateway.url("/c/items")).body());
            assertEquals("/v1/items", echoed.uri());
            assertEquals("web", echoed.header("X-Entry-Point"));
            assertEquals("router", echoed.header("X-Order"), "the router's middlewares run after the entry point's");

            assertEquals(404, Http.get(gateway.url("/loop")).statusCode(), "a router with a chain loop is disabled");
            assertFalse(gateway.logLines("middleware loop-a@file", "recursion detected: loop-a@file -> loop-b@file -> loop-a@file")
                    .isEmpty(), gateway.logs());
        }
    }
}
