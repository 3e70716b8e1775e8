package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.CheckCommand;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider health (issue 16, item 7): a Docker engine that cannot be reached (a socket path that does not exist)
 * no longer holds the start up, is logged once in a user's words instead of an HttpClient line every 5 s, and shows
 * in {@code /api/providers}, the overview, the metrics and {@code gatehouse check}, while the file provider's routes
 * serve. The same against the real engine: {@link DockerProviderTest}.
 */
class ProviderHealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private String missingSocket() {
        return dir.resolve("no-engine").resolve("docker.sock").toString();
    }

    private String staticConfig() {
        return """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  file:
                    directory: dynamic
                  docker:
                    endpoint: "unix://%s"
                api: {}
                metrics:
                  prometheus:
                    entryPoint: web
                """.formatted(missingSocket());
    }

    private static final String DYNAMIC = """
            http:
              routers:
                api:
                  rule: PathPrefix(`/api`)
                  service: api@internal
                app:
                  rule: PathPrefix(`/app`)
                  service: app
              services:
                app:
                  loadBalancer:
                    servers:
                      - url: %s
            """;

    @Test
    void anUnreachableDockerEngineDoesNotHoldTheStartUpAndShowsInTheApiTheMetricsAndTheLogOnce() throws Exception {
        try (TestBackend backend = TestBackend.echo("file");
             TestGateway gateway = Gateways.withDynamic(dir, DYNAMIC.formatted(backend.url()))
                     .staticConfig(staticConfig()).start()) {
            // Before: the start waited 5 s for the docker provider's first snapshot, from its start to "ready".
            Duration waited = Duration.between(loggedAt(gateway, "Provider docker started"), loggedAt(gateway, "ready in"));
            assertTrue(waited.compareTo(Duration.ofSeconds(4)) < 0, "the start waited " + waited.toMillis()
                    + " ms for the unreachable engine:\n" + gateway.logs());
            assertEquals(1, gateway.logLines("Provider docker is down",
                    "serving what the other providers publish").size(), gateway.logs());
            assertEquals(200, Http.status(gateway.url("/app/x")), "the file provider's routes serve");

            JsonNode providers = JSON.readTree(Http.get(gateway.url("/api/providers")).body());
            Map<String, JsonNode> byName = new java.util.HashMap<>();
            providers.forEach(p -> byName.put(p.get("name").asText(), p));
            assertEquals(java.util.Set.of("internal", "file", "docker"), byName.keySet(), providers.toString());
            JsonNode docker = byName.get("docker");
            assertEquals("down", docker.get("status").asText(), docker.toString());
            String error = docker.get("error").asText();
            assertTrue(error.contains("unix://" + missingSocket()) && error.contains("does not exist")
                    && error.contains("providers.docker.endpoint"), "names the endpoint, what failed and the fix: " + error);
            assertFalse(error.contains("Exception"), "no Java class name: " + error);
            assertFalse(docker.has("lastUpdate"), "it never read anything");
            JsonNode file = byName.get("file");
            assertEquals("up", file.get("status").asText());
            assertEquals(2, file.get("routers").asInt(), file.toString());
            assertEquals(1, file.get("services").asInt());
            assertTrue(file.has("lastUpdate"));

            JsonNode overview = JSON.readTree(Http.get(gateway.url("/api/overview")).body());
            assertTrue(overview.get("providerHealth").toString().contains("\"status\":\"down\""), overview.toString());

            String scrape = Http.get(gateway.url("/metrics")).body();
            assertTrue(scrape.contains("traefik_provider_up{provider=\"docker\"} 0.0"), scrape);
            assertTrue(scrape.contains("traefik_provider_up{provider=\"file\"} 1.0"), scrape);
            assertTrue(scrape.matches("(?s).*traefik_provider_last_update_success\\{provider=\"file\"} 1\\.[0-9.]+E9.*"), scrape);
            assertFalse(scrape.contains("traefik_provider_last_update_success{provider=\"docker\"}"), scrape);

            // The first attempt failed before "ready": the Docker client's own line about it shows at DEBUG only.
            assertEquals(1, gateway.logLines("is unreachable").size(), gateway.logs());
            assertTrue(gateway.logLines("Recoverable").isEmpty() && gateway.logLines("HttpRequestRetryExec").isEmpty(),
                    "the Docker client's own lines show at DEBUG only:\n" + gateway.logs());
        }
    }

    @Test
    void anEngineThatHangsUpOnEveryRequestIsReportedOnceWithoutTheDockerClientsRetryLines() throws Exception {
        Path socket = dir.resolve("hangs-up.sock");
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocketChannel engine = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            engine.bind(UnixDomainSocketAddress.of(socket));
            Thread hangUp = new Thread(() -> {
                // Accepts and closes at once, as an engine going down does: the client sees no response.
                while (engine.isOpen()) {
                    try (SocketChannel connection = engine.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;   // closed by the test
                    }
                }
            }, "hang-up-engine");
            hangUp.setDaemon(true);
            hangUp.start();
            try (TestGateway gateway = Gateways.withDynamic(dir, DYNAMIC.formatted("http://127.0.0.1:1"))
                    .staticConfig(staticConfig().replace("unix://" + missingSocket(), "unix://" + socket)).start()) {
                // The first attempt and two more after the backoff: the client's retries would have logged each time.
                Poll.until("three attempts to reach the engine", Duration.ofSeconds(20), () -> accepted.get() >= 6,
                        gateway::logs);
                assertTrue(gateway.logLines("ecoverable").isEmpty() && gateway.logLines("HttpRequestRetryExec").isEmpty(),
                        "the Docker client's own retry lines show at DEBUG only:\n" + gateway.logs());
                assertEquals(1, gateway.logLines("is unreachable").size(), gateway.logs());
                JsonNode docker = JSON.readTree(Http.get(gateway.url("/api/providers")).body()).get(2);
                assertEquals("docker", docker.get("name").asText());
                assertEquals("down", docker.get("status").asText(), docker.toString());
                assertTrue(docker.get("error").asText().contains("the engine closed the connection without answering"),
                        docker.toString());
                assertFalse(docker.get("error").asText().contains("Exception"), docker.toString());
            }
        }
    }

    /** When the first log line holding {@code text} was written (the text format starts with an ISO instant). */
    private static Instant loggedAt(TestGateway gateway, String text) {
        String line = gateway.logLines(text).get(0);
        return Instant.parse(line.substring(0, line.indexOf(' ')));
    }

    @Test
    void checkSaysAtOnceWhichProviderCannotReadWhatAndHowToFix() throws Exception {
        TestGateway harness = Gateways.withDynamic(dir, DYNAMIC.formatted("http://127.0.0.1:1"));
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, staticConfig());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = CheckCommand.run(StaticConfigurationLoader.load(
                List.of("--configFile=" + config, "--plugins.dir=" + harness.pluginsDir()), Map.of(), dir, null),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String output = out.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("provider docker cannot read its configuration: Docker engine at unix://"
                + missingSocket() + " is unreachable: the socket " + missingSocket() + " does not exist: start the Docker "
                + "engine, or set providers.docker.endpoint"), output);
        assertFalse(output.contains("published nothing within"), output);
        assertEquals(0, status, "the file configuration is valid: " + output);
    }
}
