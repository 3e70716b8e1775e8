package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: a router with {@code tls: {}} (HTTPS with the defaults, the most common form) showed no TLS in the API
 * and so none in the dashboard, since an empty section was left out of the JSON.
 */
class ApiRouterTlsTest {

    private static final Path PLUGINS = Path.of(System.getProperty("gatehouse.it.plugins", "target/plugins"));

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    void aRouterWithAnEmptyTlsSectionShowsTlsInTheApi() throws Exception {
        Path dynamic = Files.createDirectories(dir.resolve("dynamic"));
        Files.writeString(dynamic.resolve("app.yml"), """
                http:
                  routers:
                    secure:
                      rule: Host(`secure.localhost`)
                      service: app
                      tls: {}
                    plain:
                      rule: Host(`plain.localhost`)
                      service: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """);
        int api = freePort();
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, """
                entryPoints:
                  web:
                    address: "127.0.0.1:%d"
                  traefik:
                    address: "127.0.0.1:%d"
                api:
                  insecure: true
                providers:
                  file:
                    directory: %s
                """.formatted(freePort(), api, dynamic));
        String base = "http://127.0.0.1:" + api;
        try (GatewayProcess gateway = GatewayProcess.start(dir, config, PLUGINS, base + "/api/overview")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            HttpResponse<String> secure = Http.get(base + "/api/http/routers/secure@file");
            while (secure.statusCode() == 404 && System.nanoTime() < deadline) {
                Thread.sleep(50);
                secure = Http.get(base + "/api/http/routers/secure@file");
            }
            assertEquals(200, secure.statusCode(), secure.body());
            assertTrue(secure.body().contains("\"tls\":{}"), secure.body());
            HttpResponse<String> plain = Http.get(base + "/api/http/routers/plain@file");
            assertEquals(200, plain.statusCode(), plain.body());
            assertTrue(!plain.body().contains("\"tls\""), plain.body());

            // As in Traefik: the API entry point's root opens the dashboard, rather than a 404.
            HttpResponse<Void> root = java.net.http.HttpClient.newBuilder().followRedirects(
                    java.net.http.HttpClient.Redirect.NEVER).build().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/")).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(301, root.statusCode());
            assertEquals("/dashboard/", root.headers().firstValue("Location").orElse(""));
        }
    }
}
