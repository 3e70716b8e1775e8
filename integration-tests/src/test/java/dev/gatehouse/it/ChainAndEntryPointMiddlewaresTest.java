package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gatehouse.testkit.TestGateway;
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
             TestGateway gateway = Gateways.withDynamic(dir, """
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

    /** Traefik v3.7's {@code http.services.<name>.middlewares}, modelled on its integration fixture service_middleware.toml. */
    @Test
    void aServicesOwnMiddlewaresRunAfterTheRoutersWhereverTheServiceIsUsed() throws Exception {
        try (TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(dir, """
                     http:
                       routers:
                         direct:
                           rule: PathPrefix(`/direct`)
                           middlewares: [tag-router]
                           service: tagged
                         through-weighted:
                           rule: PathPrefix(`/weighted`)
                           service: split
                         broken:
                           rule: PathPrefix(`/broken`)
                           service: with-missing-middleware
                       middlewares:
                         tag-router:
                           headers:
                             customRequestHeaders:
                               X-Order: router
                         tag-service:
                           headers:
                             customRequestHeaders:
                               X-Order: service
                               X-Service-Middleware: applied
                       services:
                         tagged:
                           middlewares: [tag-service]
                           loadBalancer:
                             servers:
                               - url: %s
                         split:
                           weighted:
                             services:
                               - name: tagged
                         with-missing-middleware:
                           middlewares: [nowhere]
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(backend.url(), backend.url()))) {
            gateway.start();

            Echoed direct = Echoed.parse(Http.get(gateway.url("/direct")).body());
            assertEquals("applied", direct.header("X-Service-Middleware"));
            assertEquals("service", direct.header("X-Order"), "the service's middlewares run after the router's");

            Echoed weighted = Echoed.parse(Http.get(gateway.url("/weighted")).body());
            assertEquals("applied", weighted.header("X-Service-Middleware"),
                    "a service's middlewares apply when it is the child of another service");

            assertEquals(404, Http.get(gateway.url("/broken")).statusCode(),
                    "a service whose middleware does not exist is disabled, and its router with it");
            assertFalse(gateway.logLines("service with-missing-middleware@file", "middleware 'nowhere@file' does not exist")
                    .isEmpty(), gateway.logs());
        }
    }
}
