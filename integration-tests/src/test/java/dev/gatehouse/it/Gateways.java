package dev.gatehouse.it;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;

/**
 * How the integration tests set up a {@link TestGateway} (the published gateway-testkit): every plugin the
 * distribution bundles, the ping endpoint on {@code web}, and the file provider on {@code dynamic/}. The folder is
 * written at once and the gateway is not started: a test may add plugins or change the static configuration
 * first, or run a command or a gateway process on the folder instead.
 *
 * <pre>{@code
 * try (TestGateway gateway = Gateways.withDynamic(dir, """
 *         http:
 *           routers: ...
 *         """).start()) {
 *     gateway.url("/")...
 * }
 * }</pre>
 */
final class Gateways {

    /** The bundled plugins, copied by Maven into target/plugins. */
    static final Path BUNDLED_PLUGINS = Path.of(System.getProperty("gatehouse.it.plugins", "target/plugins"));

    /** The static configuration unless a test replaces it ({@link TestGateway#staticConfig}). */
    static final String STATIC_CONFIG = """
            entryPoints:
              web:
                address: "127.0.0.1:0"
            ping:
              entryPoint: web
            providers:
              providersThrottleDuration: 200ms
              file:
                directory: dynamic
            """;

    private Gateways() {
    }

    /** A gateway in {@code dir} with the bundled plugins and one dynamic file {@code dynamic/test.yml}. */
    static TestGateway withDynamic(Path dir, String dynamicYaml) {
        return TestGateway.builder().dir(dir).bundledPluginsFrom(BUNDLED_PLUGINS).staticConfig(STATIC_CONFIG)
                .dynamic(dynamicYaml).prepare();
    }

    /**
     * Dynamic configuration (for {@link #withDynamic}) with the route most tests need: router {@code app}, rule
     * {@code PathPrefix(`/app`)}, to service {@code app} with the one server {@code serverUrl}.
     */
    static String appRoute(String serverUrl) {
        return """
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
                """.formatted(serverUrl);
    }

    /**
     * A gateway in {@code dir} whose one router, {@code app@file} ({@code PathPrefix(`/`)} to the service
     * {@code app}), sends every request to {@code backendUrl}: for tests of what entry points do, whatever the route.
     */
    static TestGateway proxyingAllTo(Path dir, String backendUrl) {
        return withDynamic(dir, appRoute(backendUrl).replace("PathPrefix(`/app`)", "PathPrefix(`/`)"));
    }

    /** A TCP port that was free a moment ago on 127.0.0.1, for tests that need a fixed address. */
    static int freePort() {
        return TestGateway.freePort();
    }
}
