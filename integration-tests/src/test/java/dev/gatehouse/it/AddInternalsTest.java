package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metrics.addInternals} and {@code accessLog.addInternals}: as in Traefik, what the gateway answers itself
 * ({@code /ping}, {@code /metrics}, routers to an {@code @internal} service) is left out of the metrics and the access
 * log unless asked for.
 */
class AddInternalsTest {

    @TempDir
    Path dir;

    private static final String ROUTES = """
            http:
              routers:
                app:
                  rule: PathPrefix(`/app`)
                  service: app
                teapot:
                  rule: PathPrefix(`/teapot`)
                  service: noop@internal
              services:
                app:
                  loadBalancer:
                    servers:
                      - url: %s
            """;

    private static String staticConfig(boolean addInternals) {
        return """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                ping:
                  entryPoint: web
                providers:
                  providersThrottleDuration: 200ms
                  file:
                    directory: dynamic
                metrics:
                  addInternals: %1$s
                  prometheus:
                    entryPoint: web
                accessLog:
                  filePath: logs/access.log
                  addInternals: %1$s
                """.formatted(addInternals);
    }

    private static final String PING_COUNT =
            "traefik_entrypoint_requests_total{code=\"200\",entrypoint=\"web\",method=\"GET\",protocol=\"http\"} ";
    private static final String TEAPOT_COUNT =
            "traefik_entrypoint_requests_total{code=\"418\",entrypoint=\"web\",method=\"GET\",protocol=\"http\"} ";

    @Test
    void byDefaultTheGatewaysOwnAnswersAreNeitherCountedNorLogged() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, ROUTES.formatted(backend.url()))
                     .staticConfig(staticConfig(false)).start()) {
            assertEquals(200, Http.status(gateway.url("/ping")));
            assertEquals(418, Http.status(gateway.url("/teapot")));
            assertEquals(200, Http.status(gateway.url("/app/1")));

            // the request to /app is the last one: once its line is written, the earlier ones would be too
            List<String> lines = awaitLine(dir.resolve("logs/access.log"), "GET /app/1");
            assertEquals(1, lines.size(), "only the request to a backend is logged: " + lines);

            Http.get(gateway.url("/metrics")); // the first scrape, not counted either
            String scrape = awaitScrape(gateway, "traefik_entrypoint_requests_total");
            assertEquals("1", sample(scrape, PING_COUNT), "the 200 of /app only, not /ping nor /metrics:\n" + scrape);
            assertNull(sample(scrape, TEAPOT_COUNT), "the router to noop@internal is not counted:\n" + scrape);
        }
    }

    @Test
    void withAddInternalsTheyAreCountedAndLoggedAsTraefikDoes() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, ROUTES.formatted(backend.url()))
                     .staticConfig(staticConfig(true)).start()) {
            assertEquals(200, Http.status(gateway.url("/ping")));
            assertEquals(418, Http.status(gateway.url("/teapot")));
            assertEquals(200, Http.status(gateway.url("/app/1")));

            List<String> lines = awaitLine(dir.resolve("logs/access.log"), "GET /app/1");
            assertTrue(lines.stream().anyMatch(line -> line.contains("GET /ping ")), lines.toString());
            assertTrue(lines.stream().anyMatch(line -> line.contains("GET /teapot ")), lines.toString());

            String scrape = awaitScrape(gateway, TEAPOT_COUNT);
            assertEquals("1", sample(scrape, TEAPOT_COUNT), scrape);
            assertFalse(sample(scrape, PING_COUNT).equals("1"), "/ping (and earlier scrapes) count too:\n" + scrape);
        }
    }

    /** The lines of the access log once one contains {@code text} (within 10 s). */
    private static List<String> awaitLine(Path file, String text) throws Exception {
        return Poll.untilValue("a line with '" + text + "' in " + file, Duration.ofSeconds(10),
                () -> Files.exists(file) ? Files.readAllLines(file) : List.<String>of(),
                lines -> lines.stream().anyMatch(line -> line.contains(text)));
    }

    /** A scrape of {@code /metrics} once it contains {@code text} (within 10 s). */
    private static String awaitScrape(TestGateway gateway, String text) throws Exception {
        return Poll.untilValue("'" + text + "' in the scrape", Duration.ofSeconds(10),
                () -> Http.get(gateway.url("/metrics")).body(), body -> body.contains(text));
    }

    /** The value of the sample whose name and labels are {@code key} (ending with a space), or null. */
    private static String sample(String scrape, String key) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(key)) {
                String value = line.substring(key.length()).strip();
                return value.endsWith(".0") ? value.substring(0, value.length() - 2) : value;
            }
        }
        return null;
    }
}
