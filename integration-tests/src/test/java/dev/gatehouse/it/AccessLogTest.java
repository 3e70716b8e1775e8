package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code accessLog} and {@code log.filePath}: known traffic, then the written lines parsed per format.
 */
class AccessLogTest {

    @TempDir
    Path dir;

    private static String staticConfig(String accessLog) {
        return """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  providersThrottleDuration: 200ms
                  file:
                    directory: dynamic
                log:
                  filePath: logs/gatehouse.log
                """ + accessLog;
    }

    private static List<String> awaitLines(Path file, int count) throws InterruptedException, java.io.IOException {
        return Poll.untilValue(count + " lines in " + file, Duration.ofSeconds(10),
                () -> Files.exists(file) ? Files.readAllLines(file) : List.<String>of(), lines -> lines.size() >= count);
    }

    @Test
    void commonFormatHasTraefiksFieldsAndTheGatewayLogGoesToItsFile() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, Gateways.appRoute(backend.url()))
                     .staticConfig(staticConfig("accessLog:\n  filePath: logs/access.log\n")).start()) {
            assertEquals(200, Http.get(gateway.url("/app/x?q=1"), "User-Agent", "tester/1.0", "Referer", "http://ref/").statusCode());
            assertEquals(404, Http.status(gateway.url("/nothing")));
            List<String> lines = awaitLines(dir.resolve("logs/access.log"), 2);
            Pattern clf = Pattern.compile("^127\\.0\\.0\\.1 - - \\[[^]]+] \"GET /app/x\\?q=1 HTTP/1\\.1\" 200 (\\d+) \"http://ref/\" "
                    + "\"tester/1\\.0\" (\\d+) \"app@file\" \"" + Pattern.quote(backend.url()) + "\" (\\d+)ms$");
            Matcher first = clf.matcher(lines.get(0));
            assertTrue(first.matches(), lines.get(0));
            assertTrue(Integer.parseInt(first.group(1)) > 0, "bytes sent");
            assertTrue(lines.get(1).contains("\"GET /nothing HTTP/1.1\" 404 19 \"-\""), lines.get(1));
            assertTrue(lines.get(1).contains(" \"-\" \"-\" "), "no router and no server for a 404: " + lines.get(1));
            assertTrue(Files.readString(dir.resolve("logs/gatehouse.log")).contains("ready in"), "log.filePath");
        }
    }

    @Test
    void jsonFormatKeepsDropsAndRedactsAsConfigured() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, Gateways.appRoute(backend.url()))
                     .staticConfig(staticConfig("""
                             accessLog:
                               filePath: logs/access.json
                               format: json
                               fields:
                                 names:
                                   ClientUsername: drop
                                   ClientHost: redact
                                 headers:
                                   names:
                                     User-Agent: keep
                                     Authorization: redact
                             """)).start()) {
            assertEquals(200, Http.get(gateway.url("/app/j"), "User-Agent", "tester/2", "Authorization", "Bearer secret",
                    "X-Other", "x").statusCode());
            String line = awaitLines(dir.resolve("logs/access.json"), 1).get(0);
            assertTrue(line.startsWith("{") && line.endsWith("}"), line);
            assertTrue(line.contains("\"DownstreamStatus\":200"), line);
            assertTrue(line.contains("\"RouterName\":\"app@file\""), line);
            assertTrue(line.contains("\"ServiceName\":\"app@file\""), line);
            assertTrue(line.contains("\"ServiceURL\":\"" + backend.url() + "\""), line);
            assertTrue(line.contains("\"RequestPath\":\"/app/j\""), line);
            assertTrue(line.contains("\"entryPointName\":\"web\""), line);
            assertTrue(line.contains("\"ClientHost\":\"REDACTED\""), line);
            assertTrue(!line.contains("ClientUsername"), line);
            assertTrue(line.contains("\"request_User-Agent\":\"tester/2\""), line);
            assertTrue(line.contains("\"request_Authorization\":\"REDACTED\""), line);
            assertTrue(!line.contains("X-Other") && !line.contains("secret"), line);
        }
    }

    @Test
    void statusFiltersKeepOnlyMatchingRequests() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             TestGateway gateway = Gateways.withDynamic(dir, Gateways.appRoute(backend.url()))
                     .staticConfig(staticConfig("""
                             accessLog:
                               filePath: logs/errors.log
                               format: genericCLF
                               filters:
                                 statusCodes: ["400-499"]
                             """)).start()) {
            Http.status(gateway.url("/app/ok"));
            Http.status(gateway.url("/app/ok2"));
            Http.status(gateway.url("/missing"));
            // The 404, sent last, is the marker: once its line is there, a wrongly kept 200 would be there before it.
            Path file = dir.resolve("logs/errors.log");
            List<String> lines = Poll.untilValue("the 404's line in " + file, Duration.ofSeconds(10),
                    () -> Files.exists(file) ? Files.readAllLines(file) : List.<String>of(),
                    written -> written.stream().anyMatch(line -> line.contains("/missing")));
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).matches("^127\\.0\\.0\\.1 - - \\[[^]]+] \"GET /missing HTTP/1\\.1\" 404 19 \"-\" \"[^\"]*\"$"),
                    lines.get(0));
        }
    }
    /**
     * logrotate's way: rename the file, send SIGUSR1, and the gateway (a real process, for the signal) writes on
     * in a new file at the configured path, for the access log and for {@code log.filePath}. Until the signal,
     * lines go on into the renamed file, which the gateway still holds open.
     */
    @Test
    void sigusr1ReopensTheAccessLogAndTheLogAtTheirPathsAfterARotation() throws Exception {
        int port = Gateways.freePort();
        try (TestBackend backend = TestBackend.echo("one")) {
            Path gw = dir.resolve("gw");
            Gateways.withDynamic(gw, Gateways.appRoute(backend.url()));
            Path config = gw.resolve("gatehouse.yml");
            Files.writeString(config, """
                    entryPoints:
                      web:
                        address: "127.0.0.1:%d"
                    providers:
                      providersThrottleDuration: 200ms
                      file:
                        directory: %s
                    log:
                      filePath: %s
                    accessLog:
                      filePath: %s
                      filters:
                        statusCodes: ["200-299"]   # not the 404s of waiting for the routes
                    """.formatted(port, gw.resolve("dynamic"), gw.resolve("logs/gatehouse.log"), gw.resolve("logs/access.log")));
            String base = "http://127.0.0.1:" + port;
            // Ready once the file provider's routes are applied (ping answers before that).
            try (GatewayProcess gateway = GatewayProcess.start(gw, config, gw.resolve("plugins"), base + "/app/ready")) {
                Path access = gw.resolve("logs/access.log");
                Path rotated = gw.resolve("logs/access.log.1");
                Path log = gw.resolve("logs/gatehouse.log");
                Path rotatedLog = gw.resolve("logs/gatehouse.log.1");
                assertEquals(200, Http.status(base + "/app/before"), gateway.output());
                awaitLines(access, 2);   // the request that found the gateway ready, and /app/before
                Files.move(access, rotated);
                Files.move(log, rotatedLog);
                assertEquals(200, Http.status(base + "/app/rotated"));
                List<String> before = awaitLines(rotated, 3);
                assertTrue(before.get(before.size() - 1).contains("GET /app/rotated "), "still the open file: " + before);

                gateway.signal("USR1");
                List<String> fresh = List.of();
                long deadline = System.nanoTime() + 10_000_000_000L;
                // Each request after the signal may still land in the old file until the writer has reopened:
                // send them (bounded) until one shows up in a new file at the configured path.
                for (int i = 0; fresh.isEmpty() && System.nanoTime() < deadline; i++) {
                    assertEquals(200, Http.status(base + "/app/after" + i));
                    Thread.sleep(100);
                    if (Files.exists(access)) {
                        fresh = Files.readAllLines(access);
                    }
                }
                assertTrue(!fresh.isEmpty(), "no new access log at " + access + " after SIGUSR1:\n" + gateway.output());
                assertTrue(fresh.stream().allMatch(line -> line.contains("GET /app/after")), fresh.toString());
                assertTrue(Files.readAllLines(rotated).stream().noneMatch(fresh::contains), "no line in both files");
                assertTrue(Files.exists(log) && Files.readString(log).contains("Log files reopened (SIGUSR1)"),
                        "log.filePath reopened too: " + (Files.exists(log) ? Files.readString(log) : "(no file)"));
                assertTrue(Files.readString(rotatedLog).contains("ready in"), "the earlier log stays in the rotated file");
            }
        }
    }
}
