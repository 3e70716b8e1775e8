package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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

    private static final String ROUTES = """
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
            """;

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
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                lines = Files.readAllLines(file);
                if (lines.size() >= count) {
                    return lines;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("expected " + count + " lines in " + file + ", got " + lines);
    }

    @Test
    void commonFormatHasTraefiksFieldsAndTheGatewayLogGoesToItsFile() throws Exception {
        try (TestBackend backend = TestBackend.echo("one");
             GatewayHarness gateway = GatewayHarness.withDynamic(dir, ROUTES.formatted(backend.url()))
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
             GatewayHarness gateway = GatewayHarness.withDynamic(dir, ROUTES.formatted(backend.url()))
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
             GatewayHarness gateway = GatewayHarness.withDynamic(dir, ROUTES.formatted(backend.url()))
                     .staticConfig(staticConfig("""
                             accessLog:
                               filePath: logs/errors.log
                               format: genericCLF
                               filters:
                                 statusCodes: ["400-499"]
                             """)).start()) {
            Http.status(gateway.url("/app/ok"));
            Http.status(gateway.url("/missing"));
            Http.status(gateway.url("/app/ok2"));
            List<String> lines = awaitLines(dir.resolve("logs/errors.log"), 1);
            Thread.sleep(500);   // give a wrongly kept 200 the time to show up
            lines = Files.readAllLines(dir.resolve("logs/errors.log"));
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).matches("^127\\.0\\.0\\.1 - - \\[[^]]+] \"GET /missing HTTP/1\\.1\" 404 19 \"-\" \"[^\"]*\"$"),
                    lines.get(0));
        }
    }
}
