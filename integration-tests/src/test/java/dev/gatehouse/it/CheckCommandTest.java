package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.CheckCommand;
import dev.gatehouse.core.HealthcheckCommand;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse check} validates everything the gateway would load, without listening, and prints each
 * error with its source; {@code gatehouse healthcheck} asks a running gateway's {@code /ping}.
 */
class CheckCommandTest {

    @TempDir
    Path dir;

    private static final String STATIC = """
            entryPoints:
              web:
                address: "127.0.0.1:0"
            providers:
              file:
                directory: dynamic
            """;

    private String output;

    private int check(GatewayHarness harness, String dynamicYaml) throws Exception {
        harness.writeDynamic("test.yml", dynamicYaml);
        return checkStatic(harness, STATIC);
    }

    /** Runs check on {@code staticYaml} with the harness's plugins; the printed text lands in {@link #output}. */
    private int checkStatic(GatewayHarness harness, String staticYaml) throws Exception {
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, staticYaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = CheckCommand.run(StaticConfigurationLoader.load(
                List.of("--configFile=" + config, "--plugins.dir=" + harness.pluginsDir()), Map.of(), dir, null),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        output = out.toString(StandardCharsets.UTF_8);
        return status;
    }

    @Test
    void aValidConfigurationPassesWithoutListening() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        GatewayHarness harness = GatewayHarness.withDynamic(dir, "");
        int status = check(harness, """
                http:
                  routers:
                    app:
                      rule: Host(`app.local`) && PathPrefix(`/api`)
                      service: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:%d
                """.formatted(port));
        assertEquals(0, status, output);
        assertTrue(output.contains("the configuration is valid (1 router(s) ready to serve)"), output);
    }

    /** Traefik v3 still reads these v2-era and deprecated forms; check accepts them as the gateway runs them. */
    @Test
    void traefikV3CompatibleFormsAndInternalServicesPass() throws Exception {
        GatewayHarness harness = GatewayHarness.withDynamic(dir, "");
        harness.writeDynamic("test.yml", """
                http:
                  routers:
                    v2:
                      rule: Host(`a.example`, `b.example`) && PathPrefix(`/{v:v[0-9]+}/`)
                      ruleSyntax: v2
                      middlewares: [old-allow, old-headers]
                      service: app
                      observability:
                        accessLogs: false
                        metrics: false
                        tracing: false
                    ping:
                      rule: Path(`/ping`)
                      service: ping@internal
                    metrics:
                      rule: Path(`/metrics`)
                      service: prometheus@internal
                    redirect:
                      rule: Host(`old.example`)
                      middlewares: [to-https]
                      service: noop@internal
                  middlewares:
                    old-allow:
                      ipWhiteList:
                        sourceRange: [10.0.0.0/8]
                    old-headers:
                      headers:
                        sslRedirect: true
                        featurePolicy: "camera 'none'"
                    to-https:
                      redirectScheme:
                        scheme: https
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """);
        int status = checkStatic(harness, STATIC + """
                ping:
                  manualRouting: true
                metrics:
                  prometheus:
                    manualRouting: true
                """);
        assertEquals(0, status, output);
        assertTrue(output.contains("the configuration is valid (4 router(s) ready to serve)"), output);
    }

    @Test
    void everyErrorIsPrintedWithFileElementAndReason() throws Exception {
        GatewayHarness harness = GatewayHarness.withDynamic(dir, "");
        harness.writeDynamic("broken.yml", "http:\n  routers:\n    x: [unclosed\n");
        int status = check(harness, """
                http:
                  routers:
                    badRule:
                      rule: Host(`a`) &&
                      service: app
                    missingService:
                      rule: Host(`b`)
                      service: nowhere
                    typo:
                      rule: Host(`c`)
                      servce: app
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:1
                """);
        assertEquals(1, status, output);
        Path file = dir.resolve("dynamic").resolve("test.yml");
        assertTrue(output.contains("gatehouse check: 4 errors:"), output);
        assertTrue(output.contains("router badRule@file (from " + file + "): rule Host(`a`) && is invalid at position 13"), output);
        assertTrue(output.contains("router missingService@file (from " + file + "): service 'nowhere@file' does not exist"), output);
        assertTrue(output.contains("router typo@file (from " + file + "): line 11: unknown key 'http.routers.typo.servce'"),
                output);
        assertTrue(output.contains("did you mean 'service'?"), output);
        assertTrue(output.contains("broken.yml") && output.contains("line"), output);
    }

    @Test
    void staticErrorsAreReportedToo() throws Exception {
        int status = checkStatic(GatewayHarness.withDynamic(dir, ""), """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                    http:
                      redirections:
                        entryPoint:
                          to: nowhere
                """);
        assertEquals(1, status, output);
        assertTrue(output.contains("entry point 'nowhere' does not exist"), output);
    }

    @Test
    void unknownProviderIsAnError() throws Exception {
        int status = checkStatic(GatewayHarness.withDynamic(dir, ""), STATIC.replace("file:", "fiel:"));
        assertEquals(1, status, output);
        assertTrue(output.contains("providers.fiel: no plugin provides the provider 'fiel' (known: ") && output.contains("file"), output);
    }

    @Test
    void healthcheckAsksTheRunningGatewaysPing() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String staticYaml = """
                entryPoints:
                  web:
                    address: "127.0.0.1:%d"
                ping:
                  entryPoint: web
                """.formatted(port);
        Path config = dir.resolve("health.yml");
        Files.writeString(config, staticYaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(1, HealthcheckCommand.run(StaticConfigurationLoader.load(List.of("--configFile=" + config), Map.of(), dir, null),
                print), "nothing runs yet");
        try (GatewayHarness gateway = GatewayHarness.withDynamic(dir, "").staticConfig(staticYaml).start()) {
            assertEquals(0, HealthcheckCommand.run(StaticConfigurationLoader.load(List.of("--configFile=" + config), Map.of(), dir,
                    null), print), out.toString(StandardCharsets.UTF_8));
        }
    }
}
