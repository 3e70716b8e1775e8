package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.runtime.Status;
import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Static configuration from flags and the environment, end to end, and a provider whose file is missing. */
class StaticConfigurationTest {

    @TempDir
    Path dir;

    @Test
    void addressFlagOverridesTheFile() throws Exception {
        int port = Gateways.freePort();
        // The harness's file says 127.0.0.1:0 (any port).
        try (TestGateway gateway = Gateways.withDynamic(dir, "http: {}\n")
                .flag("--entryPoints.web.address=127.0.0.1:" + port).start()) {
            assertEquals(port, gateway.port("web"));
            assertEquals(200, Http.status("http://127.0.0.1:" + port + "/ping"));
        }
    }

    @Test
    void environmentOverridesTheFileAndAFlagOverridesTheEnvironment() throws Exception {
        int fromEnv = Gateways.freePort();
        try (TestGateway gateway = Gateways.withDynamic(dir.resolve("env"), "http: {}\n")
                .env("GATEHOUSE_ENTRYPOINTS_WEB_ADDRESS", "127.0.0.1:" + fromEnv).start()) {
            assertEquals(fromEnv, gateway.port("web"));
            assertEquals(200, Http.status("http://127.0.0.1:" + fromEnv + "/ping"));
        }
        int fromFlag = Gateways.freePort();
        try (TestGateway gateway = Gateways.withDynamic(dir.resolve("flag"), "http: {}\n")
                .env("TRAEFIK_ENTRYPOINTS_WEB_ADDRESS", "127.0.0.1:" + fromEnv)
                .flag("--entryPoints.web.address=127.0.0.1:" + fromFlag).start()) {
            assertEquals(fromFlag, gateway.port("web"));
            assertEquals(200, Http.status("http://127.0.0.1:" + fromFlag + "/ping"));
        }
    }

    @Test
    void logFormatJsonFromTheEnvironmentMakesEveryLogLineJson() throws Exception {
        try (TestGateway gateway = Gateways.withDynamic(dir, "http: {}\n")
                .env("GATEHOUSE_LOG_FORMAT", "json").start()) {
            assertEquals(200, Http.status(gateway.url("/ping")));
            ObjectMapper json = new ObjectMapper();
            List<String> lines = gateway.logs().lines().filter(line -> !line.isBlank()).toList();
            assertFalse(lines.isEmpty());
            boolean ready = false;
            for (String line : lines) {
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (IOException e) {
                    throw new AssertionError("not a JSON log line: " + line, e);
                }
                assertTrue(node.isObject() && node.hasNonNull("level") && node.hasNonNull("msg") && node.hasNonNull("time"),
                        line);
                ready |= node.get("msg").asText().contains("ready");
            }
            assertTrue(ready, "the 'ready' line is among the JSON lines: " + lines);
        }
    }

    @Test
    void missingConfiguredFileIsLoggedAndTheGatewayServesEverythingElse() throws Exception {
        Path missing = dir.resolve("conf/missing.yml");
        try (TestGateway gateway = Gateways.withDynamic(dir, "http: {}\n").staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                ping:
                  entryPoint: web
                demo: {}
                providers:
                  file:
                    filename: %s
                """.formatted(missing)).start()) {
            List<String> errors = gateway.logLines("ERROR", missing.toString());
            assertFalse(errors.isEmpty(), "an error naming " + missing + " in:\n" + gateway.logs());
            assertTrue(errors.get(0).contains("does not exist"), errors.toString());

            assertEquals(200, Http.status(gateway.url("/ping")));
            // The gateway's own provider (internal: the demo router on Host(`localhost`)) still routes.
            assertEquals(Status.ENABLED, gateway.routerStatus("demo@internal"));
            String demo = rawGet(gateway.port("web"), "/", "localhost");
            assertTrue(demo.startsWith("HTTP/1.1 200"), demo);
            assertTrue(rawGet(gateway.port("web"), "/", "example.com").startsWith("HTTP/1.1 404"));
        }
    }

    /** A request with any Host header, over a plain socket; returns the whole response. */
    private static String rawGet(int port, String path, String host) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
